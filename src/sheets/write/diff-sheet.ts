import { rowValues, type ChangeType, type DiffColumn, type DiffResult } from '../../domain/diff-result.js';
import type { CellValue } from '../../domain/table.js';
import { cellText } from './cell-text.js';
import type { ColumnSpec } from './columns.js';
import { EXCEL_MAX_COLUMNS, EXCEL_MAX_ROWS } from './sheet-writer.js';
import type { Fill } from './styles.js';
import type { XlsxWriter } from './xlsx-writer.js';

const ROW_FILL: Record<ChangeType, Fill | undefined> = {
  added: 'green',
  removed: 'red',
  changed: undefined,
  duplicate: 'orange',
};

// Column headers take stronger shades than the row fills (C6EFCE, FFC7CE), so an added column
// never reads as an added row.
const ADDED_COLUMN: Fill = '#63BE7B';
const REMOVED_COLUMN: Fill = '#F8696B';

function headerColumn(c: DiffColumn, movedFrom: ReadonlyMap<string, string>): ColumnSpec {
  switch (c.status) {
    case 'key':
      return { header: c.name, headerFill: 'blue', width: 16 };
    case 'added':
      return { header: `${c.name} (added)`, headerFill: ADDED_COLUMN, width: 16 };
    case 'removed':
      return { header: `${c.name} (removed)`, headerFill: REMOVED_COLUMN, width: 16 };
    default: {
      const notes: string[] = [];
      if (c.renamedFrom !== undefined) notes.push(`was ${c.renamedFrom}`);
      const from = movedFrom.get(c.name);
      if (from !== undefined) notes.push(`moved from ${from}`);
      return { header: notes.length ? `${c.name} (${notes.join(', ')})` : c.name, width: 16 };
    }
  }
}

const shown = (v: CellValue): string => (v === null || v === '' ? '(empty)' : cellText(v));

/**
 * Streams the Diff worksheet: a header row (`Change`, then the diff's columns; added and
 * removed columns marked in text and in header fills darker than the row fills, renamed and
 * moved columns marked in text: `Amount (was Total)`, `price (moved from D)`), then one row per
 * change. Added rows are green,
 * removed red, duplicate-key rows orange; a changed cell is yellow and reads `new ← old`, so
 * the old value is visible without hovering. Header frozen, autofilter on. Past Excel's last
 * row the sheet ends with a note pointing to the CSV export.
 */
export async function writeDiffSheet(result: DiffResult, xlsx: XlsxWriter): Promise<void> {
  const columns = result.columns.slice(0, EXCEL_MAX_COLUMNS - 1);
  const movedFrom = new Map(result.summary.columns.moved.map((m) => [m.name, m.oldColumn]));
  const sheet = await xlsx.addSheet({
    name: 'Diff',
    columns: [{ header: 'Change', width: 12 }, ...columns.map((c) => headerColumn(c, movedFrom))],
    autoFilter: true,
  });
  const width = columns.length + 1;
  const maxData = EXCEL_MAX_ROWS - 2;
  const changes = result.changes;
  const n = Math.min(changes.length, maxData);
  const values = new Array<CellValue>(width);
  const fills = new Array<Fill | undefined>(width);
  let k = 0;
  for (const ch of changes) {
    if (k++ === n) break;
    const row = rowValues(result, ch);
    values[0] = ch.type === 'duplicate' ? (ch.newCells ? 'duplicate (new)' : 'duplicate (old)') : ch.type;
    for (let c = 0; c < columns.length; c++) values[c + 1] = row[c] ?? null;
    let cellFills: (Fill | undefined)[] | undefined;
    if (ch.cells.length > 0) {
      fills.fill(undefined);
      for (const change of ch.cells) {
        if (change.column >= columns.length) continue;
        values[change.column + 1] = `${shown(change.new)} ← ${shown(change.old)}`;
        fills[change.column + 1] = 'yellow';
      }
      cellFills = fills;
    }
    const p = sheet.writeRow(values, ROW_FILL[ch.type], cellFills);
    if (p) await p;
  }
  if (changes.length > n) {
    const note = `${changes.length - n} more changes do not fit in one Excel sheet; download the CSV export for all of them`;
    const p = sheet.writeRow([note]);
    if (p) await p;
  }
}
