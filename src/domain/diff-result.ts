import type { CompareOptions, DiffSummary } from '../contracts/jobs.js';
import type { CellValue, Table } from './table.js';

/** What happened to one row. `duplicate`: its key occurs more than once in a file; never paired. */
export type ChangeType = 'added' | 'removed' | 'changed' | 'duplicate';

/**
 * How a column of the diff relates to the two files: `key` (a key column, present in both),
 * `compared` (present in both, cells compared), `added` (only in the new file), `removed` (only
 * in the old file). Ignored columns do not appear at all.
 */
export type ColumnStatus = 'key' | 'compared' | 'added' | 'removed';

/** One column of the diff output; indexes are -1 where the file lacks the column. */
export interface DiffColumn {
  /** Display name: the new file's header (the old file's for removed columns). */
  name: string;
  status: ColumnStatus;
  oldIndex: number;
  newIndex: number;
  /** The old file's header when the column was renamed (paired by `options.renames`). */
  renamedFrom?: string;
}

/** One changed cell of a `changed` row; `column` indexes {@link DiffResult.columns}. */
export interface CellChange {
  column: number;
  old: CellValue;
  new: CellValue;
}

/**
 * One row of the diff. `oldRow`/`newRow` index `old.rows`/`new.rows` (-1 when the row is not in
 * that file): `added` has only `newRow`, `removed` only `oldRow`, `changed` both, `duplicate`
 * exactly one (the side whose file holds the row).
 */
export interface RowChange {
  type: ChangeType;
  oldRow: number;
  newRow: number;
  /** Changed cells of a `changed` row, in column order; empty for every other type. */
  cells: CellChange[];
}

/**
 * Outcome of {@link diffTables}: the summary, the output columns and the row changes.
 *
 * `columns` order: key columns (in key order), then the new file's other columns in its order
 * (compared and added), then removed columns in the old file's order.
 *
 * `changes` order (stable, unchanged rows omitted): the new file's order; a removed row (or an
 * old-side duplicate) is placed where it stood among its neighbours: just before the first
 * new-file row whose old counterpart came after it in the old file, and before the added rows
 * that precede that row (as a text diff shows deletions before insertions); removed rows after
 * the last paired row come at the end, in old-file order.
 *
 * The tables are kept by reference so writers can render whole rows; nothing is copied.
 */
export interface DiffResult {
  summary: DiffSummary;
  columns: DiffColumn[];
  changes: RowChange[];
  old: Table;
  new: Table;
}

/** Spec of one diff: key columns (header names or letters; empty = find one) and options. */
export interface DiffSpec {
  key: string[];
  options: CompareOptions;
}

/**
 * Values of a changed/added/removed/duplicate row in `result.columns` order: new-file values
 * where the row exists there, the old file's otherwise (and for removed columns).
 */
export function rowValues(result: DiffResult, change: RowChange): CellValue[] {
  const oldR = change.oldRow >= 0 ? result.old.rows[change.oldRow] : undefined;
  const newR = change.newRow >= 0 ? result.new.rows[change.newRow] : undefined;
  const cols = result.columns;
  const out = new Array<CellValue>(cols.length);
  for (let i = 0; i < cols.length; i++) {
    const c = cols[i]!;
    let v: CellValue | undefined;
    if (newR && c.newIndex >= 0) v = newR[c.newIndex];
    else if (oldR && c.oldIndex >= 0) v = oldR[c.oldIndex];
    out[i] = v ?? null;
  }
  return out;
}

/** Key cell values of a row change, in key order (new-file values where the row exists there). */
export function keyValues(result: DiffResult, change: RowChange): CellValue[] {
  const out: CellValue[] = [];
  const oldR = change.oldRow >= 0 ? result.old.rows[change.oldRow] : undefined;
  const newR = change.newRow >= 0 ? result.new.rows[change.newRow] : undefined;
  for (const c of result.columns) {
    if (c.status !== 'key') break;
    out.push((newR ? newR[c.newIndex] : oldR?.[c.oldIndex]) ?? null);
  }
  return out;
}
