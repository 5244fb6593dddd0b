import { describe, expect, it } from 'vitest';
import { DiffSummarySchema } from '../../../src/contracts/jobs.js';
import { DiffPreviewSchema } from '../../../src/contracts/preview.js';
import { buildPreview, diffTables, keyValues, rowValues } from '../../../src/domain/diff.js';
import { AppError } from '../../../src/errors/index.js';
import { options, table } from './table-helpers.js';

const OLD = table(
  ['id', 'name', 'qty'],
  [
    ['1', 'apple', '3'],
    ['2', 'pear', '5'],
    ['3', 'plum', '7'],
    ['4', 'fig', '9'],
  ],
);
const NEW = table(
  ['ID', 'Name', 'qty'],
  [
    ['1', 'apple', 3],
    ['2', 'Pear', '6'],
    ['5', 'kiwi', '1'],
    ['4', 'fig', '9.0'],
  ],
);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof AppError ? err.code : 'not-app-error';
  }
  return undefined;
}

describe('diffTables', () => {
  it('pairs rows by key and reports added, removed and changed rows with cell values', () => {
    const r = diffTables(OLD, NEW, { key: ['id'], options: options() });
    expect(DiffSummarySchema.parse(r.summary)).toEqual({
      rows: { added: 1, removed: 1, changed: 1, unchanged: 2, duplicateKeys: 0 },
      changedCells: 2,
      columns: { compared: ['Name', 'qty'], added: [], removed: [], moved: [], renamed: [], suggestedRenames: [], changedCellsByColumn: { Name: 1, qty: 1 } },
      key: ['ID'],
      sheets: { old: 'Sheet1', new: 'Sheet1' },
      headerRows: { old: 1, new: 1 },
      rowCounts: { old: 4, new: 4 },
    });
    expect([...r.changes].map((c) => [c.type, keyValues(r, c)[0]])).toEqual([
      ['changed', '2'],
      ['removed', '3'],
      ['added', '5'],
    ]);
    // 1-based source rows (the header is row 1), -1 where the file lacks the row
    expect([...r.changes].map((c) => [c.oldRowNumber, c.newRowNumber])).toEqual([
      [3, 3],
      [4, -1],
      [-1, 4],
    ]);
    expect([...r.changes].map((c) => [c.oldCells, c.newCells])).toEqual([
      [OLD.rows[1], NEW.rows[1]],
      [OLD.rows[2], null],
      [null, NEW.rows[2]],
    ]);
    expect([...r.changes][0]!.cells).toEqual([
      { column: 1, old: 'pear', new: 'Pear' },
      { column: 2, old: '5', new: '6' },
    ]);
  });

  it('places a removed row where it stood among its neighbours, and the rest at the end', () => {
    const o = table(['k'], [['a'], ['b'], ['c'], ['d'], ['e']]);
    const n = table(['k'], [['x'], ['c'], ['a'], ['y'], ['e'], ['z']]);
    const r = diffTables(o, n, { key: ['k'], options: options() });
    // b stood before c and d before e; removals come before the additions at the same place
    expect([...r.changes].map((c) => `${c.type}:${keyValues(r, c)[0]}`)).toEqual([
      'removed:b',
      'added:x',
      'removed:d',
      'added:y',
      'added:z',
    ]);
  });

  it('matches key columns by letter, and composite keys', () => {
    const o = table(['country', 'city', 'pop'], [['cn', 'a', 1], ['cn', 'b', 2], ['de', 'a', 3]]);
    const n = table(['country', 'city', 'pop'], [['cn', 'a', 1], ['cn', 'b', 20], ['de', 'b', 3]]);
    const r = diffTables(o, n, { key: ['A', 'city'], options: options() });
    expect(r.summary.key).toEqual(['country', 'city']);
    expect(r.summary.rows).toMatchObject({ added: 1, removed: 1, changed: 1, unchanged: 1 });
    const changed = [...r.changes].find((c) => c.type === 'changed')!;
    expect(keyValues(r, changed)).toEqual(['cn', 'b']);
  });

  it('prefers a header literally named like a letter over the letter', () => {
    const o = table(['id', 'A'], [['1', 'x'], ['2', 'y']]);
    const r = diffTables(o, o, { key: ['a'], options: options() });
    expect(r.summary.key).toEqual(['A']);
  });

  it('reports rows with duplicate keys on either side as duplicates, never paired', () => {
    const o = table(['id', 'v'], [['1', 'a'], ['2', 'b'], ['2', 'c'], ['3', 'd']]);
    const n = table(['id', 'v'], [['1', 'a'], ['2', 'b'], ['3', 'x'], ['3', 'y']]);
    const r = diffTables(o, n, { key: ['id'], options: options() });
    expect(r.summary.rows).toEqual({ added: 0, removed: 0, changed: 0, unchanged: 1, duplicateKeys: 6 });
    const sides = [...r.changes].map((c) => `${keyValues(r, c)[0]}:${c.oldCells ? 'old' : 'new'}`);
    expect(sides.sort()).toEqual(['2:new', '2:old', '2:old', '3:new', '3:new', '3:old']);
    expect([...r.changes].every((c) => c.type === 'duplicate')).toBe(true);
  });

  it('reports added and removed columns and skips ignored ones', () => {
    const o = table(['id', 'gone', 'same', 'skip'], [['1', 'x', 'a', 'p']]);
    const n = table(['id', 'same', 'new', 'Skip'], [['1', 'b', 'y', 'q']]);
    const r = diffTables(o, n, { key: ['id'], options: options({ ignoreColumns: ['SKIP'] }) });
    expect(r.summary.columns).toMatchObject({ compared: ['same'], added: ['new'], removed: ['gone'], moved: [], changedCellsByColumn: { same: 1 } });
    expect(r.columns.map((c) => `${c.name}:${c.status}`)).toEqual(['id:key', 'same:compared', 'new:added', 'gone:removed']);
    expect(rowValues(r, [...r.changes][0]!)).toEqual(['1', 'b', 'y', 'x']);
  });

  it('applies the comparison options to cells and keys', () => {
    const o = table(['Code', 'v'], [[' A1 ', 'Hello  World'], ['b2', '1.00']]);
    const n = table(['code', 'V'], [['a1', 'hello world'], ['B2', 1]]);
    const strict = diffTables(o, n, { key: ['code'], options: options() });
    expect(strict.summary.rows).toMatchObject({ added: 2, removed: 2 });
    const loose = diffTables(o, n, {
      key: ['code'],
      options: options({ trim: true, ignoreCase: true, collapseWhitespace: true }),
    });
    expect(loose.summary.rows).toMatchObject({ added: 0, removed: 0, changed: 0, unchanged: 2 });
  });

  it('chooses the first unique complete column as key when none is given', () => {
    const o = table(['grp', 'id', 'v'], [['a', '1', 'x'], ['a', '2', 'y']]);
    const n = table(['grp', 'id', 'v'], [['a', '1', 'x'], ['a', '2', 'z']]);
    const r = diffTables(o, n, { key: [], options: options() });
    expect(r.summary.key).toEqual(['id']);
    expect(r.summary.rows.changed).toBe(1);
  });

  it.each([
    ['an unknown key column', ['nope']],
    ['a column letter past the last column', ['Q']],
  ])('fails with key_column_not_found for %s, listing the columns', (_n, key) => {
    expect(codeOf(() => diffTables(OLD, NEW, { key, options: options() }))).toBe('key_column_not_found');
    try {
      diffTables(OLD, NEW, { key, options: options() });
    } catch (err) {
      expect((err as AppError).details?.available).toEqual(['ID', 'Name', 'qty', 'id', 'name']);
    }
  });

  it('fails with key_column_not_found when the key is missing from one file', () => {
    const n = table(['name', 'qty'], [['a', 1]]);
    expect(codeOf(() => diffTables(OLD, n, { key: ['id'], options: options() }))).toBe('key_column_not_found');
  });

  it('fails with key_column_not_found when no key is given and no column is unique', () => {
    const t = table(['a', 'b'], [['1', 'x'], ['1', '']]);
    expect(codeOf(() => diffTables(t, t, { key: [], options: options() }))).toBe('key_column_not_found');
  });

  it('compares cells of CSV text and spreadsheet types (numbers, booleans, dates)', () => {
    const o = table(['id', 'n', 'b', 'd'], [['1', '12.50', 'true', '2024-03-01']]);
    const n = table(['id', 'n', 'b', 'd'], [[1, 12.5, true, '2024-03-01']]);
    expect(diffTables(o, n, { key: ['id'], options: options() }).summary.rows.unchanged).toBe(1);
  });
});

describe('buildPreview', () => {
  it('gives the first changes in a schema-valid, JSON-ready form', () => {
    const r = diffTables(OLD, NEW, { key: ['id'], options: options() });
    const p = DiffPreviewSchema.parse(buildPreview(r, { limit: 2 }));
    expect(p.totalChanges).toBe(3);
    expect(p.truncated).toBe(true);
    expect(p.columns).toEqual([
      { name: 'ID', status: 'key' },
      { name: 'Name', status: 'compared' },
      { name: 'qty', status: 'compared' },
    ]);
    expect(p.changes[0]).toEqual({
      type: 'changed',
      key: ['2'],
      oldRow: 3,
      newRow: 3,
      values: ['2', 'Pear', '6'],
      cells: [
        { column: 1, old: 'pear', new: 'Pear' },
        { column: 2, old: '5', new: '6' },
      ],
    });
    expect(p.changes[1]).toMatchObject({ type: 'removed', key: ['3'], oldRow: 4, newRow: null });
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
  });
});
