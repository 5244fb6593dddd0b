import type { CompareOptions } from '../../contracts/jobs.js';
import type { DiffResult } from '../../domain/diff-result.js';
import type { CellValue } from '../../domain/table.js';
import { STYLE, worksheetEnd, worksheetStart } from './ooxml-parts.js';
import { cellXml } from './sheet-cells.js';

/** Names and settings shown on the Summary sheet. */
export interface DiffMeta {
  oldName: string;
  newName: string;
  options: CompareOptions;
  key: string[];
}

type Line = [CellValue, CellValue?, CellValue?] | [];

/**
 * The Summary sheet: both files, the key, counts per change type, added/removed columns,
 * changed cells per column and the options (small, so built as one string).
 */
export function summarySheetXml(result: DiffResult, meta: DiffMeta): string {
  const s = result.summary;
  const r = s.rows;
  const lines: { cells: Line; style: number }[] = [];
  const add = (cells: Line, style: number = STYLE.normal): void => {
    lines.push({ cells, style });
  };
  add(['sheetdiff comparison'], STYLE.bold);
  add([]);
  add(['', 'File', 'Sheet'], STYLE.header);
  add(['Old file', meta.oldName, s.sheets.old]);
  add(['New file', meta.newName, s.sheets.new]);
  add(['Key', meta.key.join(', ')]);
  add([]);
  add(['Rows', 'Count'], STYLE.header);
  add(['Added', r.added], STYLE.added);
  add(['Removed', r.removed], STYLE.removed);
  add(['Changed', r.changed], STYLE.changed);
  add(['Unchanged', r.unchanged]);
  add(['Duplicate key rows', r.duplicateKeys], STYLE.duplicate);
  add(['Rows in old file', s.rowCounts.old]);
  add(['Rows in new file', s.rowCounts.new]);
  add(['Changed cells', s.changedCells]);
  add([]);
  add(['Columns added', s.columns.added.join(', ')], STYLE.added);
  add(['Columns removed', s.columns.removed.join(', ')], STYLE.removed);
  add([]);
  add(['Column', 'Changed cells'], STYLE.header);
  for (const name of s.columns.compared) add([name, s.columns.changedCellsByColumn[name] ?? 0]);
  add([]);
  add(['Option', 'Value'], STYLE.header);
  for (const [k, v] of Object.entries(meta.options)) {
    add([k, v === undefined ? null : typeof v === 'object' ? JSON.stringify(v) : (v as CellValue)]);
  }

  let xml = worksheetStart({ freezeHeader: false, widths: [22, 40, 20] });
  lines.forEach((line, i) => {
    const n = i + 1;
    let row = '';
    line.cells.forEach((v, c) => {
      // the label cell carries the row's colour; values stay plain except in header rows
      const style = c === 0 || line.style === STYLE.header ? line.style : STYLE.normal;
      row += cellXml(`${'ABC'[c]}${n}`, v ?? null, style);
    });
    xml += `<row r="${n}">${row}</row>`;
  });
  return xml + worksheetEnd();
}
