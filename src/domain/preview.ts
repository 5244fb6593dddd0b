import type { DiffPreview, PreviewRow } from '../contracts/preview.js';
import { keyValues, rowValues, type DiffResult } from './diff-result.js';

/**
 * A JSON-ready preview of a diff: the summary, the columns and the first `limit` row changes
 * (in the diff's order), shaped by DiffPreviewSchema for the web app.
 *
 * Non-finite numbers (which JSON cannot carry) are given as their text (`"Infinity"`).
 */
export function buildPreview(result: DiffResult, opts: { limit: number }): DiffPreview {
  const n = Math.max(0, Math.min(opts.limit, result.changes.length));
  const changes: PreviewRow[] = new Array(n);
  const oldNums = result.old.rowNumbers;
  const newNums = result.new.rowNumbers;
  for (let i = 0; i < n; i++) {
    const ch = result.changes[i]!;
    const row: PreviewRow = {
      type: ch.type,
      key: keyValues(result, ch).map(jsonSafe),
      oldRow: ch.oldRow >= 0 ? (oldNums?.[ch.oldRow] ?? ch.oldRow + 2) : null,
      newRow: ch.newRow >= 0 ? (newNums?.[ch.newRow] ?? ch.newRow + 2) : null,
      values: rowValues(result, ch).map(jsonSafe),
      cells: ch.cells.map((c) => ({ column: c.column, old: jsonSafe(c.old), new: jsonSafe(c.new) })),
    };
    if (ch.type === 'duplicate') row.side = ch.newRow >= 0 ? 'new' : 'old';
    changes[i] = row;
  }
  return {
    summary: result.summary,
    columns: result.columns.map((c) => ({ name: c.name, status: c.status })),
    changes,
    totalChanges: result.changes.length,
    truncated: n < result.changes.length,
  };
}

function jsonSafe<T>(v: T): T | string {
  return typeof v === 'number' && !Number.isFinite(v) ? String(v) : v;
}
