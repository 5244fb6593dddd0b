import type { DiffPreview, PreviewRow } from '../contracts/preview.js';
import { keyValues, rowValues, type DiffResult, type RowChange } from './diff-result.js';

/**
 * One change as a JSON-ready preview row (PreviewRowSchema): its key, source row numbers, values
 * in `result.columns` order and changed cells. Non-finite numbers (which JSON cannot carry) are
 * given as their text (`"Infinity"`).
 */
export function previewRow(result: Pick<DiffResult, 'columns'>, ch: RowChange): PreviewRow {
  const row: PreviewRow = {
    type: ch.type,
    key: keyValues(result, ch).map(jsonSafe),
    oldRow: ch.oldCells ? ch.oldRowNumber : null,
    newRow: ch.newCells ? ch.newRowNumber : null,
    values: rowValues(result, ch).map(jsonSafe),
    cells: ch.cells.map((c) => ({ column: c.column, old: jsonSafe(c.old), new: jsonSafe(c.new) })),
  };
  if (ch.type === 'duplicate') row.side = ch.newCells ? 'new' : 'old';
  return row;
}

/**
 * A JSON-ready preview of a diff: the summary, the columns and the first `limit` row changes
 * (in the diff's order), shaped by DiffPreviewSchema for the web app. Only those changes are
 * read (see previewRow).
 */
export function buildPreview(result: DiffResult, opts: { limit: number }): DiffPreview {
  return previewOf(result, previewRows(result, 0, opts.limit), result.changes.length);
}

/** Preview rows of the changes `offset` onwards, at most `limit` (the changes before are read and skipped). */
export function previewRows(result: DiffResult, offset: number, limit: number): PreviewRow[] {
  const rows: PreviewRow[] = [];
  if (limit <= 0 || offset >= result.changes.length) return rows;
  let i = 0;
  for (const ch of result.changes) {
    if (i++ < offset) continue;
    rows.push(previewRow(result, ch));
    if (rows.length === limit) break;
  }
  return rows;
}

/** The preview fields around `changes` (rows of a diff of `total` changes). */
export function previewOf(result: DiffResult, changes: PreviewRow[], total: number): DiffPreview {
  return {
    summary: result.summary,
    columns: result.columns.map((c) => ({ name: c.name, status: c.status })),
    changes,
    totalChanges: total,
    truncated: changes.length < total,
  };
}

function jsonSafe<T>(v: T): T | string {
  return typeof v === 'number' && !Number.isFinite(v) ? String(v) : v;
}
