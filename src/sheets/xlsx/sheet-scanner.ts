import { ERRORS } from '../../errors/index.js';
import { AttrWalker, ByteXmlScanner, nameIs, startsWith } from './byte-xml.js';

/** Cell type codes (the `t` attribute). */
export const T_NUM = 0;
export const T_SHARED = 1;
export const T_BOOL = 2;
export const T_ERROR = 3;
export const T_STR = 4;
export const T_INLINE = 5;
export const T_DATE = 6;

/** Receives a worksheet's rows cell by cell, as the scanner finds them. */
export interface CellSink {
  /** A row starts (1-based number; rows without `r` follow the previous one). */
  row(rowNumber: number): void;
  /**
   * A cell of the current row that has a value: 0-based column, type code, style index, and
   * its raw character data `b[s, e)` (UTF-8, entities not yet decoded), valid during the call.
   */
  cell(col: number, type: number, style: number, b: Uint8Array, s: number, e: number): void;
  /** The current row ended. */
  endRow(): void;
}

// Excel's last column is XFD (16,384 columns).
const MAX_COLUMNS = 16_384;
const V_C_END = Uint8Array.from('</v></c>', (c) => c.charCodeAt(0));
// A one-step cell not finished in the bytes at hand is retried with more when it started this close to their end.
const RETRY = 64 * 1024;

/** Cell type code of a `t` attribute value `b[a, e)`. */
function typeCode(b: Uint8Array, a: number, e: number): number {
  const c = b[a];
  const n = e - a;
  if (n === 1) return c === 115 ? T_SHARED : c === 98 ? T_BOOL : c === 101 ? T_ERROR : c === 100 ? T_DATE : T_NUM;
  if (n === 9 && nameIs(b, a, e, 'inlineStr')) return T_INLINE;
  if (n === 3 && nameIs(b, a, e, 'str')) return T_STR;
  return T_NUM;
}

/** 0-based column of the reference `b[a, e)` (`AB12`); -1 when it has no letters. */
function refColumn(b: Uint8Array, a: number, e: number): number {
  let n = 0;
  let i = a;
  for (; i < e; i++) {
    const c = b[i]! | 32; // lower-case letters
    if (c < 97 || c > 122) break;
    n = n * 26 + (c - 96);
    if (n > MAX_COLUMNS) return MAX_COLUMNS;
  }
  return i === a ? -1 : n - 1;
}

/** Decimal integer in `b[a, e)` (at most 15 digits); NaN when it is not one. */
export function intAt(b: Uint8Array, a: number, e: number): number {
  if (a >= e || e - a > 15) return NaN;
  let n = 0;
  for (let i = a; i < e; i++) {
    const d = b[i]! - 48;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  return n;
}

/**
 * The worksheet reader's scanner: rows and cells of `<sheetData>` straight from the inflated
 * bytes. A cell of the usual shape `<c …><v>…</v></c>` is taken in one step (attributes walked
 * in place, the value handed over as a byte range, no text copied); anything else (formulas,
 * inline and rich text, CDATA, comments, prefixed names) goes tag by tag. Cells are placed by
 * their `r` reference, so sparse rows and columns cost only the cells present; the declared
 * `<dimension>` is never read.
 */
export class SheetScanner extends ByteXmlScanner {
  private rowNum = 0;
  private inRow = false;
  private col = 0;
  private nextCol = 0;
  private type = T_NUM;
  private style = 0;
  private hasValue = false;
  private inInline = false;
  private phonetic = 0;
  private readonly attrs = new AttrWalker();

  constructor(
    private readonly sink: CellSink,
    part: string,
  ) {
    super(part);
  }

  protected open(b: Uint8Array, ns: number, ne: number, gt: number, selfClosing: boolean, lt: number, n: number, final: boolean): number {
    const len = ne - ns;
    const c0 = b[ns];
    if (len === 1) {
      if (c0 === 99 /* c */) {
        this.openCell(b, ne, gt);
        if (selfClosing) {
          this.closeCell();
          return 0;
        }
        const p = gt + 1;
        if (b[p] === 60 && b[p + 1] === 118 && b[p + 2] === 62 /* <v> */) {
          let q = p + 3;
          while (q < n && b[q] !== 60) q++;
          if (startsWith(b, q, n, V_C_END)) {
            this.nextCol = this.col + 1;
            if (this.inRow) this.sink.cell(this.col, this.type, this.style, b, p + 3, q);
            return this.cellRun(b, q + 8, n);
          }
          if (q + 8 > n && !final && n - lt < RETRY) return -1;
        } else if (p + 3 > n && !final) return -1;
      } else if (c0 === 118 /* v */) {
        this.hasValue = true;
        this.capture = !selfClosing;
      } else if (c0 === 116 /* t */) {
        this.capture = !selfClosing && this.inInline && this.phonetic === 0;
      }
    } else if (len === 3 && c0 === 114 /* r */) {
      if (b[ns + 1] === 111 && b[ns + 2] === 119 /* row */) {
        this.openRow(b, ne, gt);
        if (selfClosing) this.closeRow();
      } else if (b[ns + 1] === 80 && b[ns + 2] === 104 /* rPh */ && !selfClosing) this.phonetic++;
    } else if (len === 2 && c0 === 105 && b[ns + 1] === 115 /* is */) {
      this.hasValue = true;
      this.inInline = !selfClosing;
    }
    return 0;
  }

  protected close(b: Uint8Array, ns: number, ne: number): void {
    const len = ne - ns;
    const c0 = b[ns];
    if (len === 1) {
      if (c0 === 99) this.closeCell();
      else if (c0 === 118 || c0 === 116) this.capture = false;
    } else if (len === 3 && c0 === 114) {
      if (b[ns + 1] === 111 && b[ns + 2] === 119) this.closeRow();
      else if (b[ns + 1] === 80 && b[ns + 2] === 104) this.phonetic--;
    } else if (len === 2 && c0 === 105 && b[ns + 1] === 115) this.inInline = false;
  }

  /**
   * Takes the cells that follow at `p` while they have the plainest shape, `<c` and one-letter
   * attributes in double quotes, then `<v>…</v></c>`: one walk over their bytes, no tag
   * dispatch. Returns where the tag-by-tag scan resumes (at the first other construct; nothing
   * of it consumed, so that path decides about it, errors and unfinished input included).
   */
  private cellRun(b: Uint8Array, p: number, n: number): number {
    for (;;) {
      if (p + 3 > n || b[p] !== 60 || b[p + 1] !== 99 || b[p + 2] !== 32) return p;
      let col = this.nextCol;
      let type = T_NUM;
      let style = 0;
      let i = p + 3;
      for (;;) {
        while (i < n && b[i] === 32) i++;
        if (i + 3 > n) return p;
        const c = b[i];
        if (c === 62 /* > */) break;
        if (b[i + 1] !== 61 || b[i + 2] !== 34) return p;
        const vs = i + 3;
        let ve = vs;
        while (ve < n && b[ve] !== 34) ve++;
        if (ve >= n) return p;
        if (c === 114 /* r */) {
          const rc = refColumn(b, vs, ve);
          if (rc >= MAX_COLUMNS) return p;
          if (rc >= 0) col = rc;
        } else if (c === 116 /* t */) type = typeCode(b, vs, ve);
        else if (c === 115 /* s */) {
          const st = intAt(b, vs, ve);
          style = st === st ? st : 0;
        } else if (c === 47 /* / */ || c === 61 /* = */) return p;
        i = ve + 1;
      }
      const v = i + 1;
      if (v + 3 > n || b[v] !== 60 || b[v + 1] !== 118 || b[v + 2] !== 62) return p;
      let q = v + 3;
      while (q < n && b[q] !== 60) q++;
      if (!startsWith(b, q, n, V_C_END)) return p;
      this.col = col;
      this.type = type;
      this.style = style;
      this.nextCol = col + 1;
      if (this.inRow) this.sink.cell(col, type, style, b, v + 3, q);
      p = q + 8;
    }
  }

  private openRow(b: Uint8Array, i: number, end: number): void {
    let r = NaN;
    const at = this.attrs;
    for (let a = at.next(b, i, end); a >= 0; a = at.next(b, at.ve + 1, end)) {
      if (a === 114) r = intAt(b, at.vs, at.ve);
    }
    this.rowNum = Number.isInteger(r) && r > this.rowNum ? r : this.rowNum + 1;
    this.nextCol = 0;
    this.inRow = true;
    this.sink.row(this.rowNum);
  }

  private closeRow(): void {
    if (!this.inRow) return;
    this.inRow = false;
    this.sink.endRow();
  }

  private openCell(b: Uint8Array, i: number, end: number): void {
    let col = this.nextCol;
    let type = T_NUM;
    let style = 0;
    const at = this.attrs;
    for (let a = at.next(b, i, end); a >= 0; a = at.next(b, at.ve + 1, end)) {
      if (a === 114 /* r */) {
        const c = refColumn(b, at.vs, at.ve);
        if (c >= MAX_COLUMNS) {
          const ref = Buffer.from(b.subarray(at.vs, Math.min(at.ve, at.vs + 20))).toString('latin1');
          throw ERRORS.malformedFile(`Cell ${ref} lies beyond Excel's last column`);
        }
        if (c >= 0) col = c;
      } else if (a === 116 /* t */) type = typeCode(b, at.vs, at.ve);
      else if (a === 115 /* s */) {
        const s = intAt(b, at.vs, at.ve);
        style = s === s ? s : 0;
      }
    }
    this.col = col;
    this.type = type;
    this.style = style;
    this.hasValue = false;
    this.text.len = 0;
  }

  private closeCell(): void {
    this.capture = false;
    this.nextCol = this.col + 1;
    if (this.hasValue && this.inRow) this.sink.cell(this.col, this.type, this.style, this.text.buf, 0, this.text.len);
    this.hasValue = false;
  }
}
