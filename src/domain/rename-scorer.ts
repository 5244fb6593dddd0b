import type { SuggestedRename } from '../contracts/jobs.js';
import type { DiffColumn } from './diff-result.js';
import type { CellValue } from './table.js';

/** Least score (matching rows ÷ rows with values) for a suggested rename. */
export const RENAME_MIN_SCORE = 0.8;
/** Least number of paired rows whose values match for a suggested rename. */
export const RENAME_MIN_ROWS = 2;
/** Removed and added columns considered on each side (the first ones, in file order). */
export const RENAME_MAX_CANDIDATES = 64;
// Up to this many candidate pairs each row compares every pair; past it, values are looked up.
const DIRECT_PAIRS = 16;

/**
 * Scores every (removed column, added column) pair over the paired rows of a keyed diff, to
 * suggest renamed columns from their content.
 *
 * The measure, per pair: `matchingRows` = paired rows where both cells hold the same non-empty
 * value, compared in canonical form (the key canonicaliser: the text options apply, numbers
 * compare by value, `7` = `"7.0"`; no tolerance); `rowsWithValues` = the larger of the two
 * columns' counts of non-empty cells over the same rows; `score` = matchingRows ÷ rowsWithValues.
 * A pair is suggested when score ≥ {@link RENAME_MIN_SCORE} and matchingRows ≥
 * {@link RENAME_MIN_ROWS}; pairs are taken best score first (then most matching rows, then file
 * order), each column at most once. Sums only, so the result does not depend on the order the
 * rows arrive in (partitions of a spilled diff give the same answer).
 *
 * Cost per paired row: O(removed + added) canonical values (a value lookup past
 * {@link DIRECT_PAIRS} pairs); nothing when the diff has no removed or no added column.
 */
export class RenameScorer {
  private readonly removed: DiffColumn[];
  private readonly added: DiffColumn[];
  private readonly oldIdx: number[];
  private readonly newIdx: number[];
  private readonly hits: Float64Array;
  private readonly filledOld: Float64Array;
  private readonly filledNew: Float64Array;
  private readonly oldVals: string[];
  private readonly next: Int32Array;
  private readonly byValue = new Map<string, number>();
  private readonly direct: boolean;

  private constructor(
    columns: readonly DiffColumn[],
    private readonly canon: (v: CellValue) => string,
  ) {
    this.removed = columns.filter((c) => c.status === 'removed').slice(0, RENAME_MAX_CANDIDATES);
    this.added = columns.filter((c) => c.status === 'added').slice(0, RENAME_MAX_CANDIDATES);
    this.oldIdx = this.removed.map((c) => c.oldIndex);
    this.newIdx = this.added.map((c) => c.newIndex);
    this.hits = new Float64Array(this.removed.length * this.added.length);
    this.filledOld = new Float64Array(this.removed.length);
    this.filledNew = new Float64Array(this.added.length);
    this.oldVals = new Array<string>(this.removed.length).fill('');
    this.next = new Int32Array(this.removed.length);
    this.direct = this.hits.length <= DIRECT_PAIRS;
  }

  /** A scorer for a plan's columns, or undefined when it has no removed or no added column. */
  static create(columns: readonly DiffColumn[], canon: (v: CellValue) => string): RenameScorer | undefined {
    const has = (s: DiffColumn['status']): boolean => columns.some((c) => c.status === s);
    return has('removed') && has('added') ? new RenameScorer(columns, canon) : undefined;
  }

  /** Counts one pair of rows (old row cells, new row cells) that share a key. */
  add(a: readonly CellValue[], b: readonly CellValue[]): void {
    const R = this.oldIdx.length;
    const A = this.newIdx.length;
    const vals = this.oldVals;
    const map = this.byValue;
    if (!this.direct) map.clear();
    for (let r = 0; r < R; r++) {
      const v = this.canon(a[this.oldIdx[r]!] ?? null);
      vals[r] = v;
      if (v === '') continue;
      this.filledOld[r]!++;
      if (!this.direct) {
        this.next[r] = map.get(v) ?? -1;
        map.set(v, r);
      }
    }
    for (let x = 0; x < A; x++) {
      const w = this.canon(b[this.newIdx[x]!] ?? null);
      if (w === '') continue;
      this.filledNew[x]!++;
      if (this.direct) {
        for (let r = 0; r < R; r++) if (vals[r] === w) this.hits[r * A + x]!++;
      } else {
        for (let r = map.get(w) ?? -1; r >= 0; r = this.next[r]!) this.hits[r * A + x]!++;
      }
    }
  }

  /** The suggested renames, best first (see the class comment for the measure). */
  suggestions(): SuggestedRename[] {
    const A = this.added.length;
    const found: { r: number; x: number; score: number; hits: number; base: number }[] = [];
    for (let r = 0; r < this.removed.length; r++) {
      for (let x = 0; x < A; x++) {
        const hits = this.hits[r * A + x]!;
        if (hits < RENAME_MIN_ROWS) continue;
        const base = Math.max(this.filledOld[r]!, this.filledNew[x]!);
        const score = hits / base;
        if (score >= RENAME_MIN_SCORE) found.push({ r, x, score, hits, base });
      }
    }
    found.sort((p, q) => q.score - p.score || q.hits - p.hits || p.r - q.r || p.x - q.x);
    const usedR = new Uint8Array(this.removed.length);
    const usedX = new Uint8Array(A);
    const out: SuggestedRename[] = [];
    for (const f of found) {
      if (usedR[f.r] || usedX[f.x]) continue;
      usedR[f.r] = 1;
      usedX[f.x] = 1;
      out.push({
        old: this.removed[f.r]!.name,
        new: this.added[f.x]!.name,
        score: Math.round(f.score * 10_000) / 10_000,
        matchingRows: f.hits,
        rowsWithValues: f.base,
      });
    }
    return out;
  }
}
