import { createCellComparer, createKeyCanonicaliser } from '../cell-compare.js';
import type { CellChange } from '../diff-result.js';
import type { CellValue } from '../table.js';
import type { DiffAccumulator } from './diff-accumulator.js';
import { hashBytes } from './key-index.js';
import type { KeyedDifferInit } from './keyed-differ.js';
import { RecordStore } from './record-store.js';
import { alignSequences } from './sequence-align.js';

const NO_KEY = new Uint8Array(0);
const utf8 = new TextEncoder();
const hashText = (t: string): number => {
  const b = utf8.encode(t);
  return hashBytes(b, 0, b.length);
};
// Gaps up to this many rows a side are searched for similar rows to pair as changed.
const PAIR_GAP = 256;

function grow(a: Int32Array<ArrayBuffer>, n: number): Int32Array<ArrayBuffer> {
  if (n <= a.length) return a;
  const b = new Int32Array(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}

/**
 * Diff without a key: rows aligned as sequences by their hashes (see alignSequences), like a
 * text diff. Between aligned rows, a removed and an added row that agree on at least half of
 * the compared cells are paired as one changed row; the rest are removed and added rows.
 * Pure: rows arrive as bytes, the changes go to a DiffAccumulator.
 */
export class SequenceDiffer {
  private readonly old = new RecordStore();
  private readonly nu = new RecordStore();
  private oldHash = new Int32Array(1024);
  private newHash = new Int32Array(1024);

  private init!: KeyedDifferInit;

  /** Sets both files' layouts; call before finish. */
  setLayout(init: KeyedDifferInit): void {
    this.init = init;
  }

  /** Adds the next old row; `hash` identifies equal rows (see the caller's row hashing). */
  addOld(row: Uint8Array, rs: number, re: number, rowNumber: number, hash = hashBytes(row, rs, re)): void {
    const i = this.old.add(NO_KEY, 0, 0, row, rs, re, rowNumber);
    this.oldHash = grow(this.oldHash, i + 1);
    this.oldHash[i] = hash;
  }

  /** Adds the next new row. */
  addNew(row: Uint8Array, rs: number, re: number, rowNumber: number, hash = hashBytes(row, rs, re)): void {
    const j = this.nu.add(NO_KEY, 0, 0, row, rs, re, rowNumber);
    this.newHash = grow(this.newHash, j + 1);
    this.newHash[j] = hash;
  }

  /** Aligns the rows and hands the changes, in new-file order, to `acc`. */
  finish(acc: DiffAccumulator): void {
    const { columns, oldWidth, newWidth, oldCodec, newCodec, sameLayout } = this.init;
    const old = this.old;
    const nu = this.nu;
    const eq = createCellComparer(this.init.spec.options);
    const cmp = columns.map((c, i) => (c.status === 'compared' ? i : -1)).filter((i) => i >= 0);
    const decodeOld = (i: number): CellValue[] => oldCodec.decode(old.block(i), old.rowStart(i), old.rowEnd(i), oldWidth);
    const decodeNew = (j: number): CellValue[] => newCodec.decode(nu.block(j), nu.rowStart(j), nu.rowEnd(j), newWidth);
    const diffCells = (a: CellValue[], b: CellValue[]): CellChange[] => {
      const out: CellChange[] = [];
      for (const c of cmp) {
        const col = columns[c]!;
        const va = a[col.oldIndex] ?? null;
        const vb = b[col.newIndex] ?? null;
        if (!eq(va, vb)) out.push({ column: c, old: va, new: vb });
      }
      return out;
    };
    const same = sameLayout
      ? (i: number, j: number) => old.rowEquals(i, nu.block(j), nu.rowStart(j), nu.rowEnd(j))
      : (i: number, j: number) => diffCells(decodeOld(i), decodeNew(j)).length === 0;
    if (!sameLayout) {
      // equal bytes no longer mean equal rows: hash the canonical text of the compared cells
      const canon = createKeyCanonicaliser(this.init.spec.options);
      const rehash = (n: number, decode: (i: number) => CellValue[], side: 'oldIndex' | 'newIndex', into: Int32Array): void => {
        for (let i = 0; i < n; i++) {
          const cells = decode(i);
          let t = '';
          for (const c of cmp) t += canon(cells[columns[c]![side]] ?? null) + '\u0000';
          into[i] = hashText(t);
        }
      };
      rehash(old.count, decodeOld, 'oldIndex', this.oldHash);
      rehash(nu.count, decodeNew, 'newIndex', this.newHash);
    }
    const renames = acc.renames;
    const match = alignSequences(this.oldHash.subarray(0, old.count), this.newHash.subarray(0, nu.count), same);

    let p = 0; // next old row not yet reported
    const gap = (oldEnd: number, newStart: number, newEnd: number): void => {
      const olds: CellValue[][] = [];
      for (let i = p; i < oldEnd; i++) olds.push(decodeOld(i));
      const used = new Uint8Array(olds.length);
      let from = 0;
      const flush = (upTo: number, anchor: number): void => {
        for (; from < upTo; from++) if (!used[from]) acc.push('removed', olds[from]!, old.rowNumber(p + from), null, -1, null, anchor);
      };
      for (let j = newStart; j < newEnd; j++) {
        const b = decodeNew(j);
        const anchor = nu.rowNumber(j);
        let best = -1;
        if (olds.length <= PAIR_GAP && newEnd - newStart <= PAIR_GAP) {
          for (let k = from; k < olds.length; k++) {
            if (!used[k] && diffCells(olds[k]!, b).length * 2 <= cmp.length) {
              best = k;
              break;
            }
          }
        }
        if (best < 0) {
          acc.push('added', null, -1, b, anchor, null, anchor);
          continue;
        }
        flush(best, anchor);
        used[best] = 1;
        if (renames) renames.add(olds[best]!, b);
        const cells = diffCells(olds[best]!, b);
        if (cells.length) acc.push('changed', olds[best]!, old.rowNumber(p + best), b, anchor, cells, anchor);
        else acc.unchanged++;
      }
      flush(olds.length, newEnd < nu.count ? nu.rowNumber(newEnd) : Number.MAX_SAFE_INTEGER);
      p = oldEnd;
    };
    let gapStart = 0;
    for (let j = 0; j < nu.count; j++) {
      const i = match[j]!;
      if (i < 0) continue;
      gap(i, gapStart, j);
      if (renames) renames.add(decodeOld(i), decodeNew(j));
      acc.unchanged++;
      p = i + 1;
      gapStart = j + 1;
    }
    gap(old.count, gapStart, nu.count);
    acc.addRowCounts(old.count, nu.count);
  }
}
