import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ByteXmlScanner, needsTextDecoding, startsWith } from './byte-xml.js';
import { decodeOoxmlText, rawXmlText } from './ooxml-text.js';
import { scanXmlPart } from './xml-part.js';
import type { ZipArchive } from './zip-archive.js';

const CACHE = 1 << 14;
/** Default of {@link SharedStringsOptions.budgetBytes}. */
export const DEFAULT_STRINGS_BUDGET = 64 << 20;
// On disk: data blocks of 64 KiB (128 cached, direct-mapped: 8 MiB), index blocks of 8192 ends
// (64 cached: 4 MiB), 1 MiB of write buffer while the table is read.
const BLOCK_SHIFT = 16;
const BLOCK = 1 << BLOCK_SHIFT;
const DATA_SLOTS = 128;
const IDX_SHIFT = 13;
const IDX_SLOTS = 64;
const WRITE_BUF = 1 << 20;

/** Where the table goes once it outgrows memory. */
export interface SharedStringsOptions {
  /**
   * Bytes the table may hold in memory (text plus 4 bytes per string); past them the strings
   * and their offsets move to temporary files, read back by offset through a small cache.
   * @defaultValue DEFAULT_STRINGS_BUDGET (64 MiB)
   */
  budgetBytes?: number | undefined;
  /** Directory for those files (a fresh subdirectory is made and removed). @defaultValue os.tmpdir() */
  tmpDir?: string | undefined;
}

/** The table's two temporary files and their caches. */
class StringFiles {
  readonly dir: string;
  readonly dataFd: number;
  readonly idxFd: number;
  /** Bytes and strings written (buffers included). */
  size = 0;
  count = 0;
  private readonly wbuf = Buffer.allocUnsafe(WRITE_BUF);
  private wlen = 0;
  private readonly ibuf = Buffer.allocUnsafe(8 << IDX_SHIFT);
  private ilen = 0;
  private readonly dataKey = new Float64Array(DATA_SLOTS).fill(-1);
  private readonly dataBlk: Buffer[] = [];
  private readonly idxKey = new Float64Array(IDX_SLOTS).fill(-1);
  private readonly idxBlk: Buffer[] = [];
  private scratch = Buffer.allocUnsafe(0);

  constructor(tmp: string) {
    this.dir = mkdtempSync(join(tmp, 'sd-sst-'));
    let data = -1;
    try {
      data = openSync(join(this.dir, 'strings'), 'w+');
      this.dataFd = data;
      this.idxFd = openSync(join(this.dir, 'ends'), 'w+');
    } catch (err) {
      if (data >= 0) closeSync(data);
      rmSync(this.dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** Appends `b[s, e)` as the next string's bytes (call {@link end} after). */
  write(b: Uint8Array, s: number, e: number): void {
    const n = e - s;
    if (this.wlen + n > WRITE_BUF) this.flushData();
    if (n > WRITE_BUF) writeFully(this.dataFd, b, s, e);
    else {
      this.wbuf.set(b.subarray(s, e), this.wlen);
      this.wlen += n;
    }
    this.size += n;
  }

  /** Ends the current string. */
  end(): void {
    if (this.ilen === this.ibuf.length) this.flushIdx();
    this.ibuf.writeDoubleLE(this.size, this.ilen);
    this.ilen += 8;
    this.count++;
  }

  /** Flushes the write buffers; the files are read-only after. */
  finish(): void {
    this.flushData();
    this.flushIdx();
  }

  private flushData(): void {
    writeFully(this.dataFd, this.wbuf, 0, this.wlen);
    this.wlen = 0;
  }

  private flushIdx(): void {
    writeFully(this.idxFd, this.ibuf, 0, this.ilen);
    this.ilen = 0;
  }

  /** End offset of string `i` (after finish). */
  endOf(i: number): number {
    const blk = i >>> IDX_SHIFT;
    const slot = blk & (IDX_SLOTS - 1);
    let buf = this.idxBlk[slot];
    if (buf === undefined || this.idxKey[slot] !== blk) {
      buf ??= this.idxBlk[slot] = Buffer.allocUnsafe(8 << IDX_SHIFT);
      readFully(this.idxFd, buf, Math.min(buf.length, (this.count - (blk << IDX_SHIFT)) * 8), blk * (8 << IDX_SHIFT));
      this.idxKey[slot] = blk;
    }
    return buf.readDoubleLE((i & ((1 << IDX_SHIFT) - 1)) * 8);
  }

  /** Buffer holding bytes `[s, e)` of the data file; `at` gets their start in it. */
  bytes(s: number, e: number, at: { start: number }): Buffer {
    const blk = Math.floor(s / BLOCK);
    if (e <= (blk + 1) * BLOCK) {
      const slot = blk & (DATA_SLOTS - 1);
      let buf = this.dataBlk[slot];
      if (buf === undefined || this.dataKey[slot] !== blk) {
        buf ??= this.dataBlk[slot] = Buffer.allocUnsafe(BLOCK);
        readFully(this.dataFd, buf, Math.min(BLOCK, this.size - blk * BLOCK), blk * BLOCK);
        this.dataKey[slot] = blk;
      }
      at.start = s - blk * BLOCK;
      return buf;
    }
    // across a block boundary: read it on its own
    if (this.scratch.length < e - s) this.scratch = Buffer.allocUnsafe(Math.max(e - s, 2 * this.scratch.length));
    readFully(this.dataFd, this.scratch, e - s, s);
    at.start = 0;
    return this.scratch;
  }

  close(): void {
    try {
      closeSync(this.dataFd);
      closeSync(this.idxFd);
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

function writeFully(fd: number, b: Uint8Array, s: number, e: number): void {
  while (s < e) s += writeSync(fd, b, s, e - s);
}

function readFully(fd: number, b: Buffer, n: number, pos: number): void {
  for (let got = 0; got < n; ) {
    const r = readSync(fd, b, got, n - got, pos + got);
    if (r === 0) throw new Error('shared strings file ended early');
    got += r;
  }
}

/**
 * The shared string table, held compactly: every string's UTF-8 bytes (entities and `_xHHHH_`
 * escapes already decoded) back to back in one buffer, plus an end offset per string. A
 * million strings cost their bytes and 4 bytes each, not a JS string each; text is decoded only
 * for the cells a caller turns into values (recent ones are cached), and the diff path copies
 * the bytes straight into its records.
 *
 * Past `budgetBytes` the table moves to two temporary files (the bytes, and an 8-byte end
 * offset per string) and strings are read back by offset through block caches of a few MiB, so
 * the table's memory is bounded whatever the part's size. {@link close} removes the files; the
 * reader calls it when the workbook is done, also on error.
 */
export class SharedStrings {
  private bytes: Buffer;
  private ends = new Int32Array(1024);
  private used = 0;
  /** Number of strings. */
  count = 0;
  private readonly cacheKey = new Int32Array(CACHE).fill(-1);
  private readonly cacheVal = new Array<string>(CACHE).fill('');
  private readonly budget: number;
  private readonly tmpDir: string;
  private files: StringFiles | null = null;
  private readonly at = { start: 0 };
  /** Where the bytes of the string last returned by {@link bytesOf} start and end in its buffer. */
  viewStart = 0;
  viewEnd = 0;

  /** `sizeHint`: expected bytes (the part's size is an upper bound for UTF-8 parts). */
  constructor(sizeHint = 0, opts: SharedStringsOptions = {}) {
    this.budget = opts.budgetBytes ?? DEFAULT_STRINGS_BUDGET;
    this.tmpDir = opts.tmpDir ?? tmpdir();
    this.bytes = Buffer.allocUnsafe(Math.max(4096, Math.min(sizeHint, this.budget)));
  }

  /** Whether the table lives in temporary files. */
  get onDisk(): boolean {
    return this.files !== null;
  }

  /**
   * The buffer holding string `i` (0 ≤ i < count), its bytes at `[viewStart, viewEnd)`. Valid
   * until the next call.
   */
  bytesOf(i: number): Buffer {
    const f = this.files;
    if (f === null) {
      this.viewStart = i === 0 ? 0 : this.ends[i - 1]!;
      this.viewEnd = this.ends[i]!;
      return this.bytes;
    }
    const s = i === 0 ? 0 : f.endOf(i - 1);
    const e = f.endOf(i);
    const buf = f.bytes(s, e, this.at);
    this.viewStart = this.at.start;
    this.viewEnd = this.at.start + (e - s);
    return buf;
  }

  /** String `i`, or undefined when there is none. */
  get(i: number): string | undefined {
    if (!(i >= 0 && i < this.count) || !Number.isInteger(i)) return undefined;
    const slot = i & (CACHE - 1);
    if (this.cacheKey[slot] === i) return this.cacheVal[slot];
    const b = this.bytesOf(i);
    const s = b.toString('utf8', this.viewStart, this.viewEnd);
    this.cacheKey[slot] = i;
    this.cacheVal[slot] = s;
    return s;
  }

  /** Adds a string given as raw XML character data `b[s, e)` (entities and escapes decoded here). */
  addRaw(b: Uint8Array, s: number, e: number, part: string): void {
    if (needsTextDecoding(b, s, e)) return this.addString(decodeOoxmlText(rawXmlText(b, s, e, part)));
    if (this.files === null && !this.reserve(e - s)) this.spill();
    const f = this.files;
    if (f !== null) {
      f.write(b, s, e);
      f.end();
      this.count++;
      return;
    }
    const out = this.bytes;
    let n = this.used;
    for (let i = s; i < e; i++) out[n++] = b[i]!;
    this.used = n;
    this.push();
  }

  /** Adds a decoded string. */
  addString(str: string): void {
    if (this.files === null && !this.reserve(str.length * 3)) this.spill();
    const f = this.files;
    if (f !== null) {
      const b = Buffer.from(str, 'utf8');
      f.write(b, 0, b.length);
      f.end();
      this.count++;
      return;
    }
    this.used += this.bytes.write(str, this.used);
    this.push();
  }

  /** Ends the table: flushes what went to disk. */
  finish(): void {
    this.files?.finish();
  }

  /** Removes the temporary files, if any (idempotent). */
  close(): void {
    const f = this.files;
    this.files = null;
    if (f !== null) {
      this.count = 0;
      f.close();
    }
  }

  /**
   * Makes room for `n` more bytes and one more string; false when that would pass the budget
   * (text plus the offsets array's capacity, so a doubling of it counts before it happens).
   */
  private reserve(n: number): boolean {
    const endsCap = this.count < this.ends.length ? this.ends.length : this.ends.length * 2;
    if (this.used + n + 4 * endsCap > this.budget) return false;
    if (this.used + n <= this.bytes.length) return true;
    const b = Buffer.allocUnsafe(Math.min(Math.max(this.used + n, this.bytes.length * 2), this.budget));
    this.bytes.copy(b, 0, 0, this.used);
    this.bytes = b;
    return true;
  }

  /** Moves the table to temporary files; the strings that follow are appended there. */
  private spill(): void {
    const f = new StringFiles(this.tmpDir);
    try {
      let s = 0;
      for (let i = 0; i < this.count; i++) {
        const e = this.ends[i]!;
        f.write(this.bytes, s, e);
        f.end();
        s = e;
      }
    } catch (err) {
      f.close();
      throw err;
    }
    this.files = f;
    this.bytes = Buffer.allocUnsafe(0);
    this.ends = new Int32Array(0);
    this.used = 0;
  }

  private push(): void {
    if (this.count === this.ends.length) {
      const e = new Int32Array(this.ends.length * 2);
      e.set(this.ends);
      this.ends = e;
    }
    this.ends[this.count++] = this.used;
  }
}

const T_OPEN = Uint8Array.from('<t>', (c) => c.charCodeAt(0));
const T_PRESERVE = Uint8Array.from('<t xml:space="preserve">', (c) => c.charCodeAt(0));
const T_SI_END = Uint8Array.from('</t></si>', (c) => c.charCodeAt(0));
// A one-step string not finished in the bytes at hand is retried with more when it started this close to their end.
const RETRY = 64 * 1024;

/** `<si>` elements into a SharedStrings: `<t>` texts of plain and rich-text runs, phonetic guides skipped. */
class SstScanner extends ByteXmlScanner {
  private phonetic = 0;

  constructor(
    private readonly out: SharedStrings,
    part: string,
  ) {
    super(part);
  }

  protected open(b: Uint8Array, ns: number, ne: number, gt: number, selfClosing: boolean, lt: number, n: number, final: boolean): number {
    const len = ne - ns;
    const c0 = b[ns];
    if (len === 2 && c0 === 115 /* s */ && b[ns + 1] === 105 /* i */) {
      this.text.len = 0;
      if (selfClosing) {
        this.out.addString('');
        return 0;
      }
      // the common shape `<si><t>text</t></si>` in one step
      const p = gt + 1;
      const ts = startsWith(b, p, n, T_OPEN) ? p + 3 : startsWith(b, p, n, T_PRESERVE) ? p + 24 : -1;
      if (ts >= 0) {
        let te = ts;
        while (te < n && b[te] !== 60) te++;
        if (startsWith(b, te, n, T_SI_END)) {
          this.out.addRaw(b, ts, te, this.part);
          return te + 9;
        }
        if (te + 9 > n && !final && n - lt < RETRY) return -1;
      } else if (p + 24 > n && !final) return -1;
    } else if (len === 1 && c0 === 116 /* t */) this.capture = this.phonetic === 0 && !selfClosing;
    else if (len === 3 && c0 === 114 && b[ns + 1] === 80 && b[ns + 2] === 104 /* rPh */ && !selfClosing) this.phonetic++;
    return 0;
  }

  protected close(b: Uint8Array, ns: number, ne: number): void {
    const len = ne - ns;
    const c0 = b[ns];
    if (len === 1 && c0 === 116) this.capture = false;
    else if (len === 2 && c0 === 115 && b[ns + 1] === 105) this.out.addRaw(this.text.buf, 0, this.text.len, this.part);
    else if (len === 3 && c0 === 114 && b[ns + 1] === 80 && b[ns + 2] === 104) this.phonetic--;
  }
}

/**
 * Reads the shared string table: one string per `<si>`, the `<t>` texts of plain and rich-text
 * runs (`<r>`) concatenated; phonetic guides (`<rPh>`, furigana) are not part of the value.
 */
export async function readSharedStrings(zip: ZipArchive, part: string, signal?: AbortSignal, opts: SharedStringsOptions = {}): Promise<SharedStrings> {
  const out = new SharedStrings(Math.min(zip.entrySize(part), 1 << 30), opts);
  try {
    await scanXmlPart(zip, part, new SstScanner(out, part), signal);
    out.finish();
  } catch (err) {
    out.close();
    throw err;
  }
  return out;
}
