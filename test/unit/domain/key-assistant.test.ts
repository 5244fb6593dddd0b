import { describe, expect, it } from 'vitest';
import { inspectKeys } from '../../../src/domain/key-assistant.js';
import { options, table } from './table-helpers.js';

describe('inspectKeys', () => {
  const left = table(['sku', 'name', 'qty'], [
    ['A', 'x', 1],
    ['B', 'y', 2],
    ['B', 'z', 3],
    ['C', null, 4],
  ]);
  const right = table(['SKU', 'qty', 'name'], [
    ['A', 1, 'x'],
    ['B', 5, 'y'],
    ['D', 6, 'w'],
  ]);

  it('profiles columns, suggests keys unique and complete in both files, lists duplicates', () => {
    const r = inspectKeys([left, right], { options: options() });
    expect(r.files[0]!.columns.map((c) => [c.name, c.letter, c.completeness, c.uniqueness])).toEqual([
      ['sku', 'A', 1, 0.75],
      ['name', 'B', 0.75, 1],
      ['qty', 'C', 1, 1],
    ]);
    expect(r.suggestedKeys).toEqual([['qty']]);
    expect(r.duplicatesFor).toEqual(['sku']);
    expect(r.duplicates[0]).toEqual([{ key: ['B'], rows: [3, 4], count: 2 }]);
    expect(r.duplicates[1]).toEqual([]);
  });

  it('falls back to pairs of columns when no single column is a key', () => {
    const t = table(['a', 'b'], [
      [1, 1],
      [1, 2],
      [2, 1],
    ]);
    expect(inspectKeys([t], { options: options() }).suggestedKeys).toEqual([['a', 'b']]);
  });

  it('reports per file the sheet read, the workbook\'s sheets and the header row', () => {
    const t = { ...table(['a'], [[1]], 'Data'), sheetNames: ['Notes', 'Data'], headerRow: 3, headerRowDetected: true };
    const r = inspectKeys([t, left], { options: options() });
    expect(r.files.map(({ sheet, sheets, headerRow, headerRowDetected }) => ({ sheet, sheets, headerRow, headerRowDetected }))).toEqual([
      { sheet: 'Data', sheets: ['Notes', 'Data'], headerRow: 3, headerRowDetected: true },
      { sheet: 'Sheet1', sheets: ['Sheet1'], headerRow: 1, headerRowDetected: false },
    ]);
  });

  it('reports the duplicate groups of the key asked for, by letter too', () => {
    const r = inspectKeys([left], { key: ['A'], options: options() });
    expect(r.duplicatesFor).toEqual(['sku']);
    expect(r.duplicates[0]![0]!.count).toBe(2);
  });
});
