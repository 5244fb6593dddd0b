import type { MovedColumn } from '../contracts/jobs.js';
import type { DiffColumn } from './diff-result.js';
import { columnLetter } from './table.js';

/**
 * Indexes (into `seq`) of one longest strictly increasing subsequence, in O(n log n)
 * (patience sorting with back-links). Among equally long ones it keeps, at each length, the
 * run ending in the smallest value: with two columns swapped, the one that came later in the
 * old file is the one reported as moved.
 */
export function longestIncreasingRun(seq: readonly number[]): number[] {
  const tails: number[] = []; // index in seq of the smallest tail of a run of each length
  const prev = new Int32Array(seq.length).fill(-1);
  for (let i = 0; i < seq.length; i++) {
    const v = seq[i]!;
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (seq[tails[mid]!]! < v) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[i] = tails[lo - 1]!;
    tails[lo] = i;
  }
  const out = new Array<number>(tails.length);
  for (let k = tails.length - 1, i = tails[k] ?? -1; k >= 0; k--, i = prev[i]!) out[k] = i;
  return out;
}

/**
 * Columns present in both files whose order changed, as a person would describe it: the
 * longest run of common columns that kept their relative order stays put, and every other
 * common column is reported as moved (from its old position to its new one, and which column
 * it now follows). Columns added or removed in between shift letters but move nothing; one
 * column dragged elsewhere is one move, not a move of everything it jumped over.
 *
 * `columns` is a plan's output (key and compared columns are the common ones; ignored columns
 * take no part); `newHeader` names the new file's columns by position. O(n log n) in columns.
 */
export function findMovedColumns(columns: readonly DiffColumn[], newHeader: readonly string[]): MovedColumn[] {
  const common = columns.filter((c) => c.oldIndex >= 0 && c.newIndex >= 0).sort((a, b) => a.newIndex - b.newIndex);
  const kept = new Uint8Array(common.length);
  for (const i of longestIncreasingRun(common.map((c) => c.oldIndex))) kept[i] = 1;
  const moved: MovedColumn[] = [];
  common.forEach((c, i) => {
    if (kept[i]) return;
    moved.push({
      name: c.name,
      oldPosition: c.oldIndex + 1,
      newPosition: c.newIndex + 1,
      oldColumn: columnLetter(c.oldIndex),
      newColumn: columnLetter(c.newIndex),
      after: c.newIndex > 0 ? (newHeader[c.newIndex - 1] ?? null) : null,
    });
  });
  return moved;
}
