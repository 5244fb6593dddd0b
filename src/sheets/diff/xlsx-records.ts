import { CELL_CODEC, decodeCell, encodeCellsText } from '../../domain/keyed/record-codec.js';
import type { CellValue } from '../../domain/table.js';
import { ERRORS } from '../../errors/index.js';
import { needsTextDecoding } from '../xlsx/byte-xml.js';
import { cellValue, isNumberLiteral, type SheetContext } from '../xlsx/cell-values.js';
import { intAt, T_BOOL, T_INLINE, T_NUM, T_SHARED, T_STR, type CellSink } from '../xlsx/sheet-scanner.js';
import type { KeyEncoder } from './key-bytes.js';

const US = 0x1f;
const ESC = 0x1e;
const TAG_STR = 0x73;
const TAG_NUM = 0x6e;
const utf8 = new TextDecoder();
// Record bytes may outgrow the sheet's XML this many times (a shared string repeated in many
// cells) before the sheet counts as a bomb; legitimate sheets stay far below 1:1.
const MAX_EXPANSION = 100;
const MIN_EXPANSION_BYTES = 64 << 20;

/** Where a RecordBuilder hands its rows. */
export interface RecordRows {
  /** A non-blank row while no layout is set (the header row and any above it), as cells. */
  cellsRow(rowNumber: number, cells: CellValue[]): void;
  /** A non-blank row below the header: canonical key bytes and record bytes, valid during the call. */
  record(key: Uint8Array, ks: number, ke: number, rec: Uint8Array, rs: number, re: number, rowNumber: number): void;
}

/**
 * Turns a worksheet's cells straight into the engine's record bytes (the encodeCells format)
 * as the scanner finds them: shared strings are copied from the compact table, numbers and
 * plain text from the sheet's own bytes, so a typical row costs no JS string and no cell
 * array. Cells that need decoding (entities, dates, odd numbers) go through cellValue; a row
 * whose cells come out of column order is rebuilt from cells. The key is taken from the
 * record's bytes when they already are canonical (see KeyEncoder.rawIsCanonical), else from
 * the decoded key cells.
 */
export class RecordBuilder implements CellSink {
  /** Rows with a non-empty cell so far (the sheet choice looks at it). */
  rows = 0;
  private width = 0;
  private keyIdx: number[] = [];
  private keyPos = new Int32Array(0);
  private keyS = new Int32Array(0);
  private keyE = new Int32Array(0);
  private keyRaw = new Uint8Array(0);
  private keyCells: CellValue[] = [];
  private buf = Buffer.allocUnsafe(64 * 1024);
  private keyBuf = Buffer.allocUnsafe(1024);
  private len = 0;
  private seps = 0;
  private lastCol = -1;
  private nonEmpty = false;
  private escaped = false;
  private bytesMode = false;
  /** The row as cells: rows at or above the header, or a row that fell back from bytes. */
  private cells: CellValue[] | null = null;
  private rowNumber = 0;
  private total = 0;
  private readonly maxTotal: number;

  constructor(
    private readonly ctx: SheetContext,
    private readonly out: RecordRows,
    private readonly keys: KeyEncoder,
  ) {
    this.maxTotal = Math.max(MIN_EXPANSION_BYTES, MAX_EXPANSION * ctx.xmlBytes);
  }

  /**
   * Sets the record layout once the header is known: its width and the key columns. The rows
   * that follow come as records (none while the width is 0).
   */
  setLayout(width: number, keyIdx: readonly number[]): void {
    this.width = width;
    this.keyIdx = [...keyIdx];
    this.keyPos = new Int32Array(width).fill(-1);
    keyIdx.forEach((c, p) => {
      if (c < width && this.keyPos[c]! < 0) this.keyPos[c] = p;
    });
    this.keyS = new Int32Array(keyIdx.length);
    this.keyE = new Int32Array(keyIdx.length);
    this.keyRaw = new Uint8Array(keyIdx.length);
    this.keyCells = new Array<CellValue>(width).fill(null);
  }

  row(rowNumber: number): void {
    this.rowNumber = rowNumber;
    this.nonEmpty = false;
    this.bytesMode = this.width > 0;
    this.cells = this.bytesMode ? null : [];
    this.len = 0;
    this.seps = 0;
    this.lastCol = -1;
    this.keyS.fill(-1);
  }

  cell(col: number, type: number, style: number, b: Uint8Array, s: number, e: number): void {
    if (this.cells !== null) return this.placeCell(col, cellValue(this.ctx, type, style, b, s, e));
    if (col <= this.lastCol) {
      // out of column order: rebuild this row from cells
      this.cells = CELL_CODEC.decode(this.buf, 0, this.len, this.width);
      return this.placeCell(col, cellValue(this.ctx, type, style, b, s, e));
    }
    this.lastCol = col;
    if (col >= this.width) {
      if (!this.nonEmpty) {
        const v = cellValue(this.ctx, type, style, b, s, e);
        this.nonEmpty = v !== null && v !== '';
      }
      return;
    }
    this.ensure(col - this.seps + 2 * (e - s) + 2);
    const out = this.buf;
    while (this.seps < col) {
      out[this.len++] = US;
      this.seps++;
    }
    const start = this.len;
    this.escaped = false;
    if (type === T_SHARED) {
      const i = intAt(b, s, e);
      if (i !== i) this.writeValue(cellValue(this.ctx, type, style, b, s, e));
      else if (i < this.ctx.sharedStrings.count) {
        const sst = this.ctx.sharedStrings;
        const src = sst.bytesOf(i);
        const ss = sst.viewStart;
        const se = sst.viewEnd;
        this.ensure(2 * (se - ss) + 1);
        this.buf[this.len++] = TAG_STR;
        this.copyText(src, ss, se);
        if (se > ss) this.nonEmpty = true;
      }
    } else if (type === T_NUM && (this.ctx.dateKinds[style] ?? 0) === 0 && isNumberLiteral(b, s, e)) {
      out[this.len++] = TAG_NUM;
      for (let k = s; k < e; k++) out[this.len++] = b[k]!;
      this.nonEmpty = true;
    } else if (type === T_BOOL && e - s === 1 && (b[s] === 48 || b[s] === 49)) {
      out[this.len++] = b[s] === 49 ? 0x74 : 0x66;
      this.nonEmpty = true;
    } else if ((type === T_STR || type === T_INLINE) && !needsTextDecoding(b, s, e)) {
      out[this.len++] = TAG_STR;
      this.copyText(b, s, e);
      if (e > s) this.nonEmpty = true;
    } else this.writeValue(cellValue(this.ctx, type, style, b, s, e));
    const p = this.keyPos[col]!;
    if (p >= 0 && this.len > start) {
      this.keyS[p] = start;
      this.keyE[p] = this.len;
      const tag = this.buf[start];
      this.keyRaw[p] = !this.escaped && (tag === TAG_STR || tag === TAG_NUM) ? 1 : 0;
    }
  }

  endRow(): void {
    const cells = this.cells;
    if (cells !== null) {
      if (!this.nonEmpty) {
        for (let i = 0; i < cells.length; i++) {
          const v = cells[i];
          if (v !== null && v !== '') {
            this.nonEmpty = true;
            break;
          }
        }
      }
      if (!this.nonEmpty) return;
      this.rows++;
      if (!this.bytesMode) return this.out.cellsRow(this.rowNumber, cells);
      const text = encodeCellsText(cells, this.width);
      this.len = 0;
      this.ensure(text.length * 3);
      const n = this.buf.write(text, 0);
      this.countBytes(n);
      const key = this.keyIdx.length ? this.keys.fromCells(cells, this.keyIdx) : this.buf.subarray(0, 0);
      return this.out.record(key, 0, key.length, this.buf, 0, n, this.rowNumber);
    }
    if (!this.nonEmpty) return;
    this.rows++;
    this.ensure(this.width);
    while (this.seps < this.width - 1) {
      this.buf[this.len++] = US;
      this.seps++;
    }
    this.countBytes(this.len);
    this.emitWithKey();
  }

  private countBytes(n: number): void {
    this.total += n;
    if (this.total > this.maxTotal) {
      throw ERRORS.zipBomb(
        `"${this.ctx.part}" expands to more than ${this.maxTotal >> 20} MiB of cell text, ${MAX_EXPANSION} times its XML (shared strings repeated in many cells)`,
        { part: this.ctx.part },
      );
    }
  }

  private emitWithKey(): void {
    const { keyIdx, keyS, keyE, buf } = this;
    const kn = keyIdx.length;
    let raw = true;
    let kl = 0;
    for (let p = 0; p < kn && raw; p++) {
      if (keyS[p]! < 0) raw = this.keys.rawIsCanonical(buf, 0, 0);
      else {
        raw = this.keyRaw[p] === 1 && this.keys.rawIsCanonical(buf, keyS[p]! + 1, keyE[p]!);
        kl += keyE[p]! - keyS[p]! - 1;
      }
    }
    if (raw && kn <= 1) {
      const ks = kn === 1 && keyS[0]! >= 0 ? keyS[0]! + 1 : 0;
      const ke = kn === 1 && keyS[0]! >= 0 ? keyE[0]! : 0;
      return this.out.record(buf, ks, ke, buf, 0, this.len, this.rowNumber);
    }
    if (raw) {
      // canonical parts joined as KeyEncoder.fromCells joins them (U+0000 U+0001)
      if (this.keyBuf.length < kl + 2 * kn) this.keyBuf = Buffer.allocUnsafe(2 * (kl + 2 * kn));
      const k = this.keyBuf;
      let n = 0;
      for (let p = 0; p < kn; p++) {
        if (p > 0) {
          k[n++] = 0;
          k[n++] = 1;
        }
        if (keyS[p]! >= 0) for (let i = keyS[p]! + 1; i < keyE[p]!; i++) k[n++] = buf[i]!;
      }
      return this.out.record(k, 0, n, buf, 0, this.len, this.rowNumber);
    }
    const kc = this.keyCells;
    for (let p = 0; p < kn; p++) {
      const c = keyIdx[p]!;
      if (c < kc.length) kc[c] = keyS[p]! < 0 ? null : decodeCell(utf8.decode(buf.subarray(keyS[p]!, keyE[p]!)));
    }
    const key = this.keys.fromCells(kc, keyIdx);
    for (const c of keyIdx) if (c < kc.length) kc[c] = null;
    this.out.record(key, 0, key.length, buf, 0, this.len, this.rowNumber);
  }

  private placeCell(col: number, v: CellValue): void {
    if (v === null) return;
    const cells = this.cells!;
    while (cells.length < col) cells.push(null);
    if (cells.length === col) cells.push(v);
    else cells[col] = v;
  }

  /** Copies text bytes, escaping the record's separator bytes. */
  private copyText(src: Uint8Array, s: number, e: number): void {
    const out = this.buf;
    let n = this.len;
    for (let i = s; i < e; i++) {
      const c = src[i]!;
      if (c === US || c === ESC) {
        out[n++] = ESC;
        this.escaped = true;
      }
      out[n++] = c;
    }
    this.len = n;
  }

  private writeValue(v: CellValue): void {
    if (v === null) return;
    if (typeof v === 'string') {
      if (v !== '') this.nonEmpty = true;
      this.escaped = false;
      if (v.length <= 64) {
        // short ASCII text (dates above all): char codes straight into the record
        this.ensure(v.length + 1);
        const out = this.buf;
        let p = this.len;
        out[p++] = TAG_STR;
        let i = 0;
        for (; i < v.length; i++) {
          const c = v.charCodeAt(i);
          if (c >= 0x80 || c === US || c === ESC) break;
          out[p++] = c;
        }
        if (i === v.length) {
          this.len = p;
          return;
        }
      }
      const t = /[\u001e\u001f]/.test(v) ? v.replace(/[\u001e\u001f]/g, '\u001e$&') : v;
      this.escaped = t !== v;
      this.ensure(t.length * 3 + 1);
      this.buf[this.len++] = TAG_STR;
      this.len += this.buf.write(t, this.len);
      return;
    }
    this.nonEmpty = true;
    if (typeof v === 'boolean') {
      this.buf[this.len++] = v ? 0x74 : 0x66;
      return;
    }
    const t = String(v);
    this.ensure(t.length + 1);
    this.buf[this.len++] = TAG_NUM;
    for (let i = 0; i < t.length; i++) this.buf[this.len++] = t.charCodeAt(i);
  }

  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    const b = Buffer.allocUnsafe(Math.max(this.len + extra, this.buf.length * 2));
    this.buf.copy(b, 0, 0, this.len);
    this.buf = b;
  }
}
