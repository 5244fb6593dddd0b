import type { CompareOptions } from '../../contracts/jobs.js';
import type { DiffResult } from '../../domain/diff-result.js';
import type { CellValue } from '../../domain/table.js';
import type { Fill } from './styles.js';
import type { XlsxWriter } from './xlsx-writer.js';

/** Names and settings shown on the Summary sheet. */
export interface DiffMeta {
  oldName: string;
  newName: string;
  options: CompareOptions;
  key: string[];
}

type Line = { cells: CellValue[]; fill?: Fill; header?: boolean; bold?: boolean };

/**
 * The Summary sheet: both files (name, sheet, header row), the key, counts per change type,
 * the column changes (added, removed, moved with where from and to, renamed by the options,
 * renames suggested with their score), changed cells per column and the options. The label
 * cell carries the row's colour; values stay plain except in header rows.
 */
export async function writeSummarySheet(result: DiffResult, meta: DiffMeta, xlsx: XlsxWriter): Promise<void> {
  const s = result.summary;
  const r = s.rows;
  const lines: Line[] = [];
  const add = (cells: CellValue[], fill?: Fill): void => {
    lines.push(fill ? { cells, fill } : { cells });
  };
  const head = (cells: CellValue[]): void => {
    lines.push({ cells, header: true });
  };
  lines.push({ cells: ['sheetdiff comparison'], bold: true });
  add([]);
  head(['', 'File', 'Sheet', 'Header row']);
  add(['Old file', meta.oldName, s.sheets.old, s.headerRows?.old ?? null]);
  add(['New file', meta.newName, s.sheets.new, s.headerRows?.new ?? null]);
  add(['Key', meta.key.join(', ')]);
  add([]);
  head(['Rows', 'Count']);
  add(['Added', r.added], 'green');
  add(['Removed', r.removed], 'red');
  add(['Changed', r.changed], 'yellow');
  add(['Unchanged', r.unchanged]);
  add(['Duplicate key rows', r.duplicateKeys], 'orange');
  add(['Rows in old file', s.rowCounts.old]);
  add(['Rows in new file', s.rowCounts.new]);
  add(['Changed cells', s.changedCells]);
  add([]);
  const c = s.columns;
  add(['Columns added', c.added.join(', ')], 'green');
  add(['Columns removed', c.removed.join(', ')], 'red');
  add(['Columns moved', c.moved.map((m) => m.name).join(', ')]);
  add(['Columns renamed', c.renamed.map((r) => `${r.old} → ${r.new}`).join(', ')]);
  add([]);
  if (c.moved.length) {
    head(['Moved column', 'From → to', 'Now after']);
    for (const m of c.moved) add([m.name, `column ${m.oldColumn} → column ${m.newColumn}`, m.after ?? '(first column)']);
    add([]);
  }
  if (c.suggestedRenames.length) {
    head(['Suggested rename', 'Values that agree', 'Score']);
    for (const r of c.suggestedRenames) add([`${r.old} → ${r.new}`, `${r.matchingRows} of ${r.rowsWithValues} rows`, r.score]);
    add(['Not applied: to compare such a pair as one column, pass it in the renames option.']);
    add([]);
  }
  head(['Column', 'Changed cells']);
  for (const name of s.columns.compared) add([name, s.columns.changedCellsByColumn[name] ?? 0]);
  add([]);
  head(['Option', 'Value']);
  for (const [k, v] of Object.entries(meta.options)) {
    add([k, v === undefined ? null : typeof v === 'object' ? JSON.stringify(v) : (v as CellValue)]);
  }

  const sheet = await xlsx.addSheet({
    name: 'Summary',
    columns: [{ header: 'A', width: 24 }, { header: 'B', width: 40 }, { header: 'C', width: 20 }, { header: 'D', width: 12 }],
    header: false,
  });
  for (const line of lines) {
    let p: Promise<void> | null;
    if (line.header) p = sheet.writeRow(line.cells, 'grey', undefined, true);
    else if (line.bold) p = sheet.writeRow(line.cells, undefined, undefined, true);
    else p = sheet.writeRow(line.cells, undefined, line.fill ? [line.fill] : undefined);
    if (p) await p;
  }
}
