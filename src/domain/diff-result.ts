import type { CompareOptions, DiffSummary } from '../contracts/jobs.js';
import type { CellValue } from './table.js';

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
 * One row of the diff, with the rows it refers to (so it can be rendered on its own, whether it
 * was held in memory or read back from a change file). `added` has only the new file's row,
 * `removed` only the old file's, `changed` both, `duplicate` exactly one (the side whose file
 * holds the row).
 */
export interface RowChange {
  type: ChangeType;
  /** The old file's cells of the row (old-file column order), or null when the old file lacks it. */
  oldCells: CellValue[] | null;
  /** The new file's cells of the row (new-file column order), or null when the new file lacks it. */
  newCells: CellValue[] | null;
  /** 1-based source row in the old file (spreadsheet row, or CSV record counting the header); -1 without a row there. */
  oldRowNumber: number;
  /** 1-based source row in the new file; -1 without a row there. */
  newRowNumber: number;
  /** Changed cells of a `changed` row, in column order; empty for every other type. */
  cells: CellChange[];
}

/**
 * The changes of a diff, in diff order: held in memory, or (past a budget) in a change file on
 * disk that is merged as it is read. Every writer reads them the same way, by iterating; each
 * iteration starts at the first change and reads them afresh, and leaving one early (`break`,
 * a throw) releases what it reads with.
 */
export interface ChangeList extends Iterable<RowChange> {
  /** Number of changes. */
  readonly length: number;
  /** True when the changes are read back from disk (past the change budget). */
  readonly onDisk: boolean;
  /**
   * Releases what the list holds outside memory (its change file; nothing for an in-memory
   * list). Idempotent; iterating a closed list that was on disk throws.
   */
  close(): Promise<void>;
}

/** A ChangeList over changes held in an array (no copy). */
export function changeArray(changes: readonly RowChange[]): ChangeList {
  return {
    get length() {
      return changes.length;
    },
    onDisk: false,
    [Symbol.iterator]: () => changes[Symbol.iterator](),
    close: () => Promise.resolve(),
  };
}

/**
 * Outcome of {@link diffTables} and diffFiles: the summary, the output columns and the row
 * changes.
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
 * Whoever gets a result closes `changes` once the outputs are written (see ChangeList.close).
 */
export interface DiffResult {
  summary: DiffSummary;
  columns: DiffColumn[];
  changes: ChangeList;
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
export function rowValues(result: { readonly columns: readonly DiffColumn[] }, change: RowChange): CellValue[] {
  const oldR = change.oldCells;
  const newR = change.newCells;
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
export function keyValues(result: { readonly columns: readonly DiffColumn[] }, change: RowChange): CellValue[] {
  const out: CellValue[] = [];
  const oldR = change.oldCells;
  const newR = change.newCells;
  for (const c of result.columns) {
    if (c.status !== 'key') break;
    out.push((newR ? newR[c.newIndex] : oldR?.[c.oldIndex]) ?? null);
  }
  return out;
}
