/**
 * Append-only storage of byte records (a key followed by a row) in fixed blocks, with per-record
 * metadata in typed arrays: millions of rows cost their bytes plus ~20 bytes each, with no JS
 * object or string per row.
 */
const BLOCK = 8 << 20;

/**
 * Copies `src[s, e)` to `dst` at `at`: a plain loop for the short ranges rows and keys usually
 * are (a subarray view per copy would cost an allocation), `set` for long ones.
 */
export function copyBytes(src: Uint8Array, s: number, e: number, dst: Uint8Array, at: number): void {
  if (e - s > 64) {
    dst.set(src.subarray(s, e), at);
    return;
  }
  for (let i = s; i < e; i++) dst[at++] = src[i]!;
}

function grow<T extends Int32Array | Float64Array>(a: T, n: number): T {
  if (n <= a.length) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}

/** A growable list of byte records; record `i` is addressed by its index. */
export class RecordStore {
  private blocks: Uint8Array[] = [];
  private cur: Uint8Array = new Uint8Array(0);
  private used = 0;
  private blockOf = new Int32Array(1024);
  private posOf = new Int32Array(1024);
  private keyLenOf = new Int32Array(1024);
  private rowLenOf = new Int32Array(1024);
  private rowNoOf = new Float64Array(1024);
  /** Number of records. */
  count = 0;
  /** Bytes held in blocks (what decides a spill). */
  bytes = 0;

  /** Appends a record; returns its index. */
  add(key: Uint8Array, ks: number, ke: number, row: Uint8Array, rs: number, re: number, rowNumber: number): number {
    const kl = ke - ks;
    const rl = re - rs;
    const need = kl + rl;
    // (an empty first record needs a block too: its index must name one)
    if (this.used + need > this.cur.length || this.blocks.length === 0) {
      this.cur = new Uint8Array(Math.max(BLOCK, need));
      this.blocks.push(this.cur);
      this.used = 0;
      this.bytes += this.cur.length;
    }
    const i = this.count++;
    if (i >= this.blockOf.length) {
      const n = i + 1;
      this.blockOf = grow(this.blockOf, n);
      this.posOf = grow(this.posOf, n);
      this.keyLenOf = grow(this.keyLenOf, n);
      this.rowLenOf = grow(this.rowLenOf, n);
      this.rowNoOf = grow(this.rowNoOf, n);
    }
    const p = this.used;
    copyBytes(key, ks, ke, this.cur, p);
    copyBytes(row, rs, re, this.cur, p + kl);
    this.used += need;
    this.blockOf[i] = this.blocks.length - 1;
    this.posOf[i] = p;
    this.keyLenOf[i] = kl;
    this.rowLenOf[i] = rl;
    this.rowNoOf[i] = rowNumber;
    return i;
  }

  /** The block holding record `i`. */
  block(i: number): Uint8Array {
    return this.blocks[this.blockOf[i]!]!;
  }
  keyStart(i: number): number {
    return this.posOf[i]!;
  }
  keyLength(i: number): number {
    return this.keyLenOf[i]!;
  }
  rowStart(i: number): number {
    return this.posOf[i]! + this.keyLenOf[i]!;
  }
  rowEnd(i: number): number {
    return this.posOf[i]! + this.keyLenOf[i]! + this.rowLenOf[i]!;
  }
  rowNumber(i: number): number {
    return this.rowNoOf[i]!;
  }

  /** True when record `i`'s row bytes equal `buf[s, e)`. */
  rowEquals(i: number, buf: Uint8Array, s: number, e: number): boolean {
    if (this.rowLenOf[i] !== e - s) return false;
    const b = this.blocks[this.blockOf[i]!]!;
    let p = this.posOf[i]! + this.keyLenOf[i]!;
    for (let q = s; q < e; q++, p++) if (b[p] !== buf[q]) return false;
    return true;
  }

  /** True when record `i`'s key bytes equal `buf[s, e)`. */
  keyEquals(i: number, buf: Uint8Array, s: number, e: number): boolean {
    if (this.keyLenOf[i] !== e - s) return false;
    const b = this.blocks[this.blockOf[i]!]!;
    let p = this.posOf[i]!;
    for (let q = s; q < e; q++, p++) if (b[p] !== buf[q]) return false;
    return true;
  }
}
