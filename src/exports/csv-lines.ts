/**
 * CSV straight from the stored NDJSON bytes, for record exports.
 *
 * A stored line is a normalised record (a JSON array in column order, see records.ts), and in
 * most records every value is already, byte for byte, what its CSV field needs to be: a string
 * that needs no escaping is its bytes without the quotes, a canonical number is its token,
 * `true`/`false` become `TRUE`/`FALSE`, `null` an empty field. `NdjsonToCsv` copies such lines
 * from the batch bytes into the output bytes in one pass: no UTF-8 decoding, no strings, no
 * record arrays, no encoding, hence almost no garbage. Any line it is not certain about (an
 * escape sequence, text that starts like a formula or starts or ends with white space, a number
 * in another form, anything not a flat array) goes the general way: decoded, parsed with
 * parseRecordJson and formatted by CsvWriter.rowText, exactly as the writer does for every
 * record. Both give the same bytes (test/unit/exports/csv-lines.test.ts compares them).
 *
 * Output: 64 KiB copies (the size the allocator reuses) written to `dest`; `write` returns a
 * promise only when `dest` asks to wait (backpressure).
 */
import { isUtf8 } from 'node:buffer';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { CellInput, ColumnSpec } from '../sheets/write/columns.js';
import { CsvWriter } from '../sheets/write/csv-writer.js';
import { waitDrain } from '../sheets/write/zip-entry.js';
import { parseRecordJson } from './flat-json.js';

const CHUNK = 64 * 1024;

const LF = 10;
const CR = 13;
const TAB = 9;
const SPACE = 32;
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const MINUS = 45;
const PLUS = 43;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const EQUALS = 61;
const AT = 64;
const OPEN_ARRAY = 91;
const CLOSE_ARRAY = 93;
const LOWER_E = 101;
const UPPER_E = 69;
const T = 116;
const F = 102;
const N = 110;

/**
 * Whether a character that `\s` matches (JavaScript white space and line terminators) starts at
 * `i`: such a character at either end of a text makes CsvWriter quote the field. The ones above
 * U+007F in UTF-8: U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000, U+FEFF.
 */
function spaceAt(b: Uint8Array, i: number): boolean {
  const c = b[i]!;
  if (c < 0x80) return c <= SPACE; // raw controls never reach here (they end the fast path)
  if (c === 0xc2) return b[i + 1] === 0xa0;
  if (c === 0xe1) return b[i + 1] === 0x9a && b[i + 2] === 0x80;
  if (c === 0xe2) {
    const d = b[i + 1]!;
    const e = b[i + 2]!;
    return d === 0x80 ? e <= 0x8a || e === 0xa8 || e === 0xa9 || e === 0xaf : d === 0x81 && e === 0x9f;
  }
  if (c === 0xe3) return b[i + 1] === 0x80 && b[i + 2] === 0x80;
  if (c === 0xef) return b[i + 1] === 0xbb && b[i + 2] === 0xbf;
  return false;
}

/** Options of {@link NdjsonToCsv}. */
export interface NdjsonToCsvOptions {
  /** Start with a UTF-8 BOM. @defaultValue true */
  bom?: boolean;
}

/** Writes a CSV file (BOM, header, then one line per record) from stored NDJSON batch bytes. */
export class NdjsonToCsv {
  /** Records written so far. */
  records = 0;
  /** Of those, the ones copied byte for byte (the rest went through parse and format). */
  copied = 0;
  private readonly rows: CsvWriter;
  private readonly n: number;
  private out = Buffer.allocUnsafe(2 * CHUNK);
  private pos = 0;
  private carry = Buffer.allocUnsafe(CHUNK);
  private carryLen = 0;
  private full = false;
  private readonly into: (string | number | boolean | null)[] = [];

  constructor(
    private readonly dest: Writable,
    columns: readonly ColumnSpec[],
    opts: NdjsonToCsvOptions = {},
  ) {
    // Used only for its text: the header, and the records the byte path leaves.
    this.rows = new CsvWriter(dest, columns, { bom: opts.bom ?? true });
    this.n = columns.length;
    this.text(this.rows.headText());
  }

  /**
   * Takes the next bytes of a batch: writes its complete lines, keeps a partial last line for the
   * next call. Returns a promise only when `dest` is full.
   */
  write(chunk: Buffer): Promise<void> | null {
    let start = 0;
    if (this.carryLen > 0) {
      const nl = chunk.indexOf(LF);
      if (nl < 0) {
        this.keep(chunk, 0, chunk.length);
        return this.sent();
      }
      this.keep(chunk, 0, nl);
      this.line(this.carry, 0, this.carryLen, !isUtf8(this.carry.subarray(0, this.carryLen)));
      this.carryLen = 0;
      start = nl + 1;
    }
    const last = chunk.lastIndexOf(LF);
    if (last >= start) {
      // Text the byte path copies must be valid UTF-8 (what decoding would leave unchanged);
      // a region of whole lines starts and ends on character boundaries.
      const valid = isUtf8(chunk.subarray(start, last));
      let s = start;
      while (s <= last) {
        const nl = chunk.indexOf(LF, s);
        this.line(chunk, s, nl, !valid);
        s = nl + 1;
      }
      start = last + 1;
    }
    if (start < chunk.length) this.keep(chunk, start, chunk.length);
    return this.sent();
  }

  /** The end of a batch: its last line, if it had no line break, is a record too. */
  endBatch(): Promise<void> | null {
    if (this.carryLen > 0) {
      this.line(this.carry, 0, this.carryLen, !isUtf8(this.carry.subarray(0, this.carryLen)));
      this.carryLen = 0;
    }
    return this.sent();
  }

  /** Writes what is left, ends `dest` and waits until it has finished. */
  async finish(): Promise<void> {
    const p = this.endBatch();
    if (p) await p;
    if (this.dest.destroyed) throw this.dest.errored ?? new Error('output stream was destroyed');
    this.emit(true);
    const q = this.sent();
    if (q) await q;
    this.dest.end();
    await finished(this.dest);
  }

  private keep(src: Buffer, s: number, e: number): void {
    const need = this.carryLen + (e - s);
    if (need > this.carry.length) {
      const bigger = Buffer.allocUnsafe(Math.max(need, 2 * this.carry.length));
      this.carry.copy(bigger, 0, 0, this.carryLen);
      this.carry = bigger;
    }
    src.copy(this.carry, this.carryLen, s, e);
    this.carryLen = need;
  }

  /** One line (without its LF): copied when certain, else parsed and formatted. */
  private line(src: Buffer, s: number, e: number, slow: boolean): void {
    this.records++;
    this.room(e - s + this.n + 2);
    if (!slow && this.copy(src, s, e)) {
      this.copied++;
      return;
    }
    const rec = parseRecordJson(src.toString('utf8', s, e), this.into, { numbersAsText: true });
    this.text(this.rows.rowText(rec as CellInput[]));
  }

  /**
   * The byte path: writes the CSV line of the record in src[s, e) at `pos` and returns true, or
   * returns false (nothing written) when the line needs the general path.
   */
  private copy(b: Buffer, s: number, e: number): boolean {
    const out = this.out;
    let o = this.pos;
    let i = s;
    let c = b[i];
    while (c === SPACE || c === TAB || c === CR) c = b[++i];
    if (c !== OPEN_ARRAY) return false;
    c = b[++i];
    while (c === SPACE || c === TAB || c === CR) c = b[++i];
    if (c === CLOSE_ARRAY) return false; // no values: rare, left to the general path
    let col = 0;
    for (;;) {
      if (col >= this.n) return false;
      if (col > 0) out[o++] = COMMA;
      if (c === QUOTE) {
        const from = ++i;
        let quote = false;
        for (;;) {
          if (i >= e) return false;
          c = b[i]!;
          if (c === QUOTE) break;
          if (c === BACKSLASH || c < SPACE) return false;
          if (c === COMMA) quote = true;
          i++;
        }
        const to = i++;
        if (to > from) {
          const first = b[from]!;
          // Formula-like text (see neutraliseFormula) and text with white space at either end
          // (quoted by CsvWriter) take the general path.
          if (first === EQUALS || first === PLUS || first === MINUS || first === AT || spaceAt(b, from)) return false;
          let lead = to - 1;
          while (lead > from && (b[lead]! & 0xc0) === 0x80) lead--;
          if (spaceAt(b, lead)) return false;
          // Byte by byte: fields are short, and Buffer#copy costs more per call than this loop.
          if (quote) out[o++] = QUOTE;
          for (let k = from; k < to; k++) out[o++] = b[k]!;
          if (quote) out[o++] = QUOTE;
        }
      } else if (c === MINUS || (c! >= ZERO && c! <= NINE)) {
        // A number whose token is its canonical text (the rule of flat-json's numbersAsText).
        const from = i;
        const negative = c === MINUS;
        if (negative) c = b[++i];
        const intStart = i;
        if (c === ZERO) c = b[++i];
        else if (c! > ZERO && c! <= NINE) do c = b[++i]; while (c! >= ZERO && c! <= NINE);
        else return false;
        const intLen = i - intStart;
        const zeroInt = intLen === 1 && b[intStart] === ZERO;
        let fracLen = 0;
        let fracZeros = 0;
        if (c === DOT) {
          const fracStart = i + 1;
          c = b[++i];
          while (c! >= ZERO && c! <= NINE) c = b[++i];
          fracLen = i - fracStart;
          if (fracLen === 0 || b[i - 1] === ZERO) return false;
          while (b[fracStart + fracZeros] === ZERO) fracZeros++;
          if (zeroInt && fracZeros >= 6) return false;
        } else if (negative && zeroInt) return false; // -0
        if (c === LOWER_E || c === UPPER_E) return false;
        if ((zeroInt ? fracLen - fracZeros : intLen + fracLen) > 15) return false;
        if (i > e) return false;
        for (let k = from; k < i; k++) out[o++] = b[k]!;
      } else if (c === T) {
        if (b[i + 1] !== 114 || b[i + 2] !== 117 || b[i + 3] !== 101) return false;
        out[o++] = 84; // TRUE
        out[o++] = 82;
        out[o++] = 85;
        out[o++] = 69;
        i += 4;
      } else if (c === F) {
        if (b[i + 1] !== 97 || b[i + 2] !== 108 || b[i + 3] !== 115 || b[i + 4] !== 101) return false;
        out[o++] = 70; // FALSE
        out[o++] = 65;
        out[o++] = 76;
        out[o++] = 83;
        out[o++] = 69;
        i += 5;
      } else if (c === N) {
        if (b[i + 1] !== 117 || b[i + 2] !== 108 || b[i + 3] !== 108) return false;
        i += 4;
      } else return false;
      col++;
      if (i > e) return false;
      c = b[i];
      while (i < e && (c === SPACE || c === TAB || c === CR)) c = b[++i];
      if (i >= e) return false;
      i++;
      if (c === COMMA) {
        c = b[i];
        while (i < e && (c === SPACE || c === TAB || c === CR)) c = b[++i];
        if (i >= e) return false;
        continue;
      }
      if (c !== CLOSE_ARRAY) return false;
      break;
    }
    while (i < e) {
      c = b[i++];
      if (c !== SPACE && c !== TAB && c !== CR) return false;
    }
    // Fewer values than columns: the rest are empty fields.
    for (let k = col; k < this.n; k++) out[o++] = COMMA;
    out[o++] = CR;
    out[o++] = LF;
    this.pos = o;
    return true;
  }

  private text(s: string): void {
    this.room(3 * s.length);
    this.pos += this.out.write(s, this.pos, 'utf8');
  }

  /** Makes room for `bytes` more at `pos`, sending whole chunks first. */
  private room(bytes: number): void {
    if (this.pos + bytes <= this.out.length) return;
    this.emit(false);
    if (this.pos + bytes > this.out.length) {
      const bigger = Buffer.allocUnsafe(this.pos + bytes + CHUNK);
      this.out.copy(bigger, 0, 0, this.pos);
      this.out = bigger;
    }
  }

  /** Writes the held bytes as 64 KiB copies (and, with `all`, the rest); notes when `dest` is full. */
  private emit(all: boolean): void {
    let off = 0;
    while (this.pos - off >= CHUNK || (all && this.pos > off)) {
      const n = Math.min(CHUNK, this.pos - off);
      const piece = Buffer.allocUnsafeSlow(n);
      this.out.copy(piece, 0, off, off + n);
      off += n;
      if (!this.dest.write(piece)) this.full = true;
    }
    if (off === 0) return;
    this.out.copyWithin(0, off, this.pos);
    this.pos -= off;
    if (this.out.length > 2 * CHUNK && this.pos <= CHUNK) {
      // Back to the usual size after a very long line.
      const normal = Buffer.allocUnsafe(2 * CHUNK);
      this.out.copy(normal, 0, 0, this.pos);
      this.out = normal;
    }
  }

  /** After a step: sends whole chunks; a promise when `dest` asked to wait. */
  private sent(): Promise<void> | null {
    if (this.dest.destroyed) return Promise.reject(this.dest.errored ?? new Error('output stream was destroyed'));
    this.emit(false);
    if (!this.full) return null;
    this.full = false;
    return waitDrain(this.dest);
  }
}
