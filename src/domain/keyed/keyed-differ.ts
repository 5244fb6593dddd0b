import { createCellComparer } from '../cell-compare.js';
import type { CellChange, ChangeType, DiffColumn, DiffSpec } from '../diff-result.js';
import type { CellValue } from '../table.js';
import type { DiffAccumulator } from './diff-accumulator.js';
import { hashBytes, KeyIndex } from './key-index.js';
import type { RecordCodec } from './record-codec.js';
import { RecordStore } from './record-store.js';

/** What a {@link KeyedDiffer} needs to know about the two files' layouts. */
export interface KeyedDifferInit {
  columns: DiffColumn[];
  spec: DiffSpec;
  oldWidth: number;
  newWidth: number;
  oldCodec: RecordCodec;
  newCodec: RecordCodec;
  /**
   * True when equal row bytes mean equal rows (same codec, same header in the same order):
   * then a row whose bytes did not change is never decoded.
   */
  sameLayout: boolean;
}

function growI32(a: Int32Array<ArrayBuffer>, n: number, fill = 0): Int32Array<ArrayBuffer> {
  if (n <= a.length) return a;
  const b = new Int32Array(Math.max(n, a.length * 2));
  if (fill !== 0) b.fill(fill, a.length);
  b.set(a);
  return b;
}

/**
 * Streaming keyed diff over byte records (pure: bytes in, a diff out). The old file's rows are
 * added first (kept as bytes, indexed by key), then the new file's rows stream through: a row
 * whose bytes equal its old counterpart costs a hash lookup and a byte compare, and only rows
 * that differ, are added or are duplicates are kept. {@link finish} orders the changes exactly
 * as diffTables does and decodes only the rows it reports.
 *
 * Keys arrive as canonical bytes (see createKeyCanonicaliser); several key columns are joined
 * by the caller.
 */
export class KeyedDiffer {
  private readonly old = new RecordStore();
  private readonly oldIndex = new KeyIndex(this.old);
  private readonly nu = new RecordStore();
  private readonly addedIndex = new KeyIndex(this.nu);
  private oldHead: Int32Array<ArrayBuffer> = new Int32Array(1024);
  /** per old head: its key occurs twice in a file */
  private dup = new Int32Array(1024);
  private pairedNew = new Int32Array(1024).fill(-1);
  private newRecOf = new Int32Array(1024).fill(-1);
  /** per old head: source row number of the new row it paired with */
  private pairedRowNo = new Float64Array(1024);
  /** per new record: old head it shares a key with, or -1 */
  private matchedOld = new Int32Array(1024);
  /** per new record: first new record with its key (new-only keys) */
  private newHead = new Int32Array(1024);
  private addedDup = new Int32Array(1024);
  /** per new row: old head it paired with (≥ 0) or -(new record + 2) */
  private kind = new Int32Array(1024);
  private newRows = 0;

  private init!: KeyedDifferInit;

  /** The layout given to setLayout. */
  get layout(): KeyedDifferInit {
    return this.init;
  }

  /** Sets the layouts of both files; call once the new file's header is known, before addNew. */
  setLayout(init: KeyedDifferInit): void {
    this.init = init;
  }

  /** Bytes held by both sides' stores. */
  get bytes(): number {
    return this.old.bytes + this.nu.bytes;
  }

  /**
   * Hands every old row added so far to `fn`, in order (key and row bytes, valid during the
   * call): how a diff that outgrew memory moves what it holds into partitions.
   */
  forEachOld(fn: (buf: Uint8Array, ks: number, ke: number, rs: number, re: number, rowNumber: number) => void): void {
    const old = this.old;
    for (let i = 0; i < old.count; i++) {
      const ks = old.keyStart(i);
      fn(old.block(i), ks, ks + old.keyLength(i), old.rowStart(i), old.rowEnd(i), old.rowNumber(i));
    }
  }

  /** Adds a row of the old file (all old rows come before any new one). */
  addOld(key: Uint8Array, ks: number, ke: number, row: Uint8Array, rs: number, re: number, rowNumber: number): void {
    const h = hashBytes(key, ks, ke);
    const first = this.oldIndex.find(key, ks, ke, h);
    const r = this.old.add(key, ks, ke, row, rs, re, rowNumber);
    const n = r + 1;
    if (n > this.oldHead.length) {
      this.oldHead = growI32(this.oldHead, n);
      this.dup = growI32(this.dup, n);
      this.pairedNew = growI32(this.pairedNew, n, -1);
      this.newRecOf = growI32(this.newRecOf, n, -1);
      if (n > this.pairedRowNo.length) {
        const b = new Float64Array(this.oldHead.length);
        b.set(this.pairedRowNo);
        this.pairedRowNo = b;
      }
    }
    if (first < 0) {
      this.oldIndex.insert(r, h);
      this.oldHead[r] = r;
    } else {
      this.oldHead[r] = first;
      this.dup[first] = 1;
    }
  }

  /** Adds the next row of the new file. */
  addNew(key: Uint8Array, ks: number, ke: number, row: Uint8Array, rs: number, re: number, rowNumber: number): void {
    const j = this.newRows++;
    if (j >= this.kind.length) this.kind = growI32(this.kind, j + 1);
    const h = hashBytes(key, ks, ke);
    const i = this.oldIndex.find(key, ks, ke, h);
    if (i >= 0) {
      if (this.dup[i] === 0 && this.pairedNew[i]! < 0) {
        this.pairedNew[i] = j;
        this.pairedRowNo[i] = rowNumber;
        this.kind[j] = i;
        if (!(this.init.sameLayout && this.old.rowEquals(i, row, rs, re))) {
          this.newRecOf[i] = this.storeNew(key, ks, ke, row, rs, re, rowNumber, i);
        }
        return;
      }
      this.dup[i] = 1;
      this.kind[j] = -(this.storeNew(key, ks, ke, row, rs, re, rowNumber, i) + 2);
      return;
    }
    const a = this.addedIndex.find(key, ks, ke, h);
    const r = this.storeNew(key, ks, ke, row, rs, re, rowNumber, -1);
    if (a >= 0) {
      this.newHead[r] = a;
      this.addedDup[a] = 1;
    } else {
      this.newHead[r] = r;
      this.addedIndex.insert(r, h);
    }
    this.kind[j] = -(r + 2);
  }

  private storeNew(key: Uint8Array, ks: number, ke: number, row: Uint8Array, rs: number, re: number, rowNumber: number, oldHead: number): number {
    const r = this.nu.add(key, ks, ke, row, rs, re, rowNumber);
    if (r >= this.matchedOld.length) {
      this.matchedOld = growI32(this.matchedOld, r + 1);
      this.newHead = growI32(this.newHead, r + 1);
      this.addedDup = growI32(this.addedDup, r + 1);
    }
    this.matchedOld[r] = oldHead;
    this.newHead[r] = r;
    return r;
  }

  /** Number of rows added so far on each side. */
  get rowCounts(): { old: number; new: number } {
    return { old: this.old.count, new: this.newRows };
  }

  /** Decides every row and hands the changes, in diff order, to `acc`. */
  finish(acc: DiffAccumulator): void {
    const { columns, oldWidth, newWidth, oldCodec, newCodec } = this.init;
    const eq = createCellComparer(this.init.spec.options);
    const cmp: number[] = [];
    columns.forEach((c, i) => {
      if (c.status === 'compared') cmp.push(i);
    });
    const cmpOld = cmp.map((i) => columns[i]!.oldIndex);
    const cmpNew = cmp.map((i) => columns[i]!.newIndex);
    const old = this.old;
    const nu = this.nu;
    const oldCount = old.count;
    const newCount = this.newRows;
    const decodeOld = (i: number): CellValue[] => oldCodec.decode(old.block(i), old.rowStart(i), old.rowEnd(i), oldWidth);
    const decodeNew = (r: number): CellValue[] => newCodec.decode(nu.block(r), nu.rowStart(r), nu.rowEnd(r), newWidth);
    // set only when some column was removed and another added: the layouts differ, so every
    // paired row is stored (r >= 0 below) and decoded anyway
    const renames = acc.renames;

    const pairOf = new Int32Array(newCount);
    const paired = new Uint8Array(oldCount);
    for (let j = 0; j < newCount; j++) {
      const k = this.kind[j]!;
      if (k >= 0 && this.dup[k] === 0) {
        pairOf[j] = k;
        paired[k] = 1;
      } else pairOf[j] = -1;
    }
    const nextPaired = new Int32Array(newCount);
    for (let j = newCount - 1, next = oldCount; j >= 0; j--) {
      if (pairOf[j]! >= 0) next = pairOf[j]!;
      nextPaired[j] = next;
    }
    let p = 0;
    const flushOld = (upTo: number, anchor: number): void => {
      for (; p < upTo; p++) {
        if (paired[p]) continue;
        const type: ChangeType = this.dup[this.oldHead[p]!] ? 'duplicate' : 'removed';
        acc.push(type, decodeOld(p), old.rowNumber(p), null, -1, null, anchor);
      }
    };
    let newRowNo: number;
    for (let j = 0; j < newCount; j++) {
      const i = pairOf[j]!;
      const k = this.kind[j]!;
      if (i < 0) {
        let type: ChangeType;
        let cells: CellValue[];
        if (k >= 0) {
          // first new row of a key that turned out duplicated in the new file
          type = 'duplicate';
          const r = this.newRecOf[k]!;
          cells = r >= 0 ? decodeNew(r) : newCodec.decode(old.block(k), old.rowStart(k), old.rowEnd(k), newWidth);
          newRowNo = this.pairedRowNo[k]!;
        } else {
          const r = -k - 2;
          type = this.matchedOld[r]! >= 0 || this.addedDup[this.newHead[r]!] ? 'duplicate' : 'added';
          cells = decodeNew(r);
          newRowNo = nu.rowNumber(r);
        }
        flushOld(nextPaired[j]!, newRowNo);
        acc.push(type, null, -1, cells, newRowNo, null, newRowNo);
        continue;
      }
      const r = this.newRecOf[i]!;
      newRowNo = this.pairedRowNo[i]!;
      if (i >= p) {
        flushOld(i, newRowNo);
        p = i + 1;
      }
      if (r < 0) {
        acc.unchanged++;
        continue;
      }
      const a = decodeOld(i);
      const b = decodeNew(r);
      if (renames) renames.add(a, b);
      let changes: CellChange[] | undefined;
      for (let c = 0; c < cmp.length; c++) {
        const va = a[cmpOld[c]!] ?? null;
        const vb = b[cmpNew[c]!] ?? null;
        if (!eq(va, vb)) (changes ??= []).push({ column: cmp[c]!, old: va, new: vb });
      }
      if (changes) acc.push('changed', a, old.rowNumber(i), b, newRowNo, changes, newRowNo);
      else acc.unchanged++;
    }
    flushOld(oldCount, Number.MAX_SAFE_INTEGER);
    acc.addRowCounts(oldCount, newCount);
  }
}
