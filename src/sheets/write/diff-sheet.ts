import type { Writable } from 'node:stream';
import { rowValues, type ChangeType, type DiffColumn, type DiffResult } from '../../domain/diff-result.js';
import type { CellValue } from '../../domain/table.js';
import { cellText } from './cell-text.js';
import { STYLE, worksheetEnd, worksheetStart } from './ooxml-parts.js';
import { cellXml, columnLetters } from './sheet-cells.js';
import { ChunkedWriter } from './stream-write.js';

// Excel's grid: 1,048,576 rows and 16,384 columns.
const MAX_ROWS = 1_048_576;
const MAX_COLUMNS = 16_384;

const ROW_STYLE: Record<ChangeType, number> = {
  added: STYLE.added,
  removed: STYLE.removed,
  changed: STYLE.normal,
  duplicate: STYLE.duplicate,
};

function headerCell(c: DiffColumn): { text: string; style: number } {
  switch (c.status) {
    case 'key':
      return { text: c.name, style: STYLE.headerKey };
    case 'added':
      return { text: `${c.name} (added)`, style: STYLE.headerAdded };
    case 'removed':
      return { text: `${c.name} (removed)`, style: STYLE.headerRemoved };
    default:
      return { text: c.name, style: STYLE.header };
  }
}

const shown = (v: CellValue): string => (v === null || v === '' ? '(empty)' : cellText(v));

/**
 * Streams the Diff worksheet: a header row (`Change`, then the diff's columns; added and
 * removed columns marked in text and colour), then one row per change. Added rows are green,
 * removed red, duplicate-key rows orange; a changed cell is yellow and reads `new ← old`, so
 * the old value is visible without hovering. Past Excel's last row the sheet ends with a note
 * pointing to the CSV export.
 *
 * @returns the autofilter range (`A1:K120`).
 */
export async function writeDiffSheet(result: DiffResult, out: Writable): Promise<string> {
  const columns = result.columns.slice(0, MAX_COLUMNS - 1);
  const letters = columnLetters(columns.length + 1);
  const w = new ChunkedWriter(out);
  const widths = [12, ...columns.map(() => 16)];
  let p = w.add(worksheetStart({ freezeHeader: true, widths }));
  if (p) await p;

  let head = `<row r="1">${cellXml('A1', 'Change', STYLE.header)}`;
  columns.forEach((c, i) => {
    const h = headerCell(c);
    head += cellXml(`${letters[i + 1]}1`, h.text, h.style);
  });
  p = w.add(head + '</row>');
  if (p) await p;

  const maxData = MAX_ROWS - 2;
  const changes = result.changes;
  const n = Math.min(changes.length, maxData);
  for (let k = 0; k < n; k++) {
    const ch = changes[k]!;
    const r = k + 2;
    const style = ROW_STYLE[ch.type];
    const label = ch.type === 'duplicate' ? (ch.newRow >= 0 ? 'duplicate (new)' : 'duplicate (old)') : ch.type;
    let xml = `<row r="${r}">${cellXml(`A${r}`, label, style)}`;
    const values = rowValues(result, ch);
    let next = 0; // cursor into ch.cells, which is in column order
    for (let c = 0; c < columns.length; c++) {
      const change = ch.cells[next];
      if (change && change.column === c) {
        next++;
        xml += cellXml(`${letters[c + 1]}${r}`, `${shown(change.new)} ← ${shown(change.old)}`, STYLE.changed);
      } else {
        xml += cellXml(`${letters[c + 1]}${r}`, values[c] ?? null, style);
      }
    }
    p = w.add(xml + '</row>');
    if (p) await p;
  }
  let lastRow = n + 1;
  if (changes.length > n) {
    lastRow++;
    const note = `${changes.length - n} more changes do not fit in one Excel sheet; download the CSV export for all of them`;
    p = w.add(`<row r="${lastRow}">${cellXml(`A${lastRow}`, note, STYLE.bold)}</row>`);
    if (p) await p;
  }
  const filterRef = `A1:${letters[columns.length]}${Math.max(lastRow, 2)}`;
  p = w.add(worksheetEnd(filterRef));
  if (p) await p;
  await w.flush();
  return filterRef;
}
