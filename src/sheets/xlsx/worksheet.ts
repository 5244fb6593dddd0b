import type { CellValue } from '../../domain/table.js';
import { ERRORS } from '../../errors/index.js';
import { excelSerialToIso, NOT_DATE, type DateKind } from '../excel-date.js';
import { decodeOoxmlText } from './ooxml-text.js';
import { scanXmlPart } from './xml-part.js';
import { decodeXmlText, XmlScanner, type XmlTagHandler } from './xml-scan.js';
import type { ZipArchive } from './zip-archive.js';

/** What a worksheet's cells refer to. */
export interface SheetContext {
  sharedStrings: readonly string[];
  dateKinds: readonly DateKind[];
  date1904: boolean;
}

// Excel's last column is XFD (16,384 columns).
const MAX_COLUMNS = 16_384;
const T_NUM = 0;
const T_SHARED = 1;
const T_BOOL = 2;
const T_ERROR = 3;
const T_STR = 4;
const T_INLINE = 5;
const T_DATE = 6;

/** Cell type code of a `t` attribute value `s[a, b)`. */
function typeCode(s: string, a: number, b: number): number {
  const c = s.charCodeAt(a);
  if (b - a === 1) return c === 115 ? T_SHARED : c === 98 ? T_BOOL : c === 101 ? T_ERROR : c === 100 ? T_DATE : T_NUM;
  if (s.startsWith('inlineStr', a) && b - a === 9) return T_INLINE;
  if (s.startsWith('str', a) && b - a === 3) return T_STR;
  return T_NUM;
}

/** 0-based column of the reference `s[a, b)` (`AB12`); -1 when it has no letters. */
function refColumn(s: string, a: number, b: number): number {
  let n = 0;
  let i = a;
  for (; i < b; i++) {
    const c = s.charCodeAt(i) | 32; // lower-case letters
    if (c < 97 || c > 122) break;
    n = n * 26 + (c - 96);
    if (n > MAX_COLUMNS) return MAX_COLUMNS;
  }
  return i === a ? -1 : n - 1;
}

/** Decimal integer in `s[a, b)`; NaN when it is not one. */
function intAt(s: string, a: number, b: number): number {
  if (a >= b || b - a > 15) return NaN;
  let n = 0;
  for (let i = a; i < b; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  return n;
}

/** `YYYY-MM-DDTHH:MM:SS[.sss][Z]` of a `t="d"` cell in the forms of CellValue. */
function isoDateCell(v: string): string {
  let s = v.trim();
  if (s.endsWith('Z')) s = s.slice(0, -1);
  if (s.endsWith('T00:00:00') || s.endsWith('T00:00:00.000')) s = s.slice(0, s.indexOf('T'));
  return s;
}

/** Handles the tags of a worksheet; one per part read. */
class SheetHandler implements XmlTagHandler {
  scanner!: XmlScanner;
  private rowNum = 0;
  private cells: CellValue[] = [];
  private inRow = false;
  private col = 0;
  private nextCol = 0;
  private type = T_NUM;
  private style = 0;
  private hasValue = false;
  private inInline = false;
  private phonetic = 0;

  constructor(
    private readonly ctx: SheetContext,
    private readonly part: string,
    private readonly onRow: (rowNumber: number, cells: CellValue[]) => void,
  ) {}

  open(s: string, ns: number, ne: number, end: number, selfClosing: boolean): number | void {
    const len = ne - ns;
    const c0 = s.charCodeAt(ns);
    if (len === 1) {
      if (c0 === 99 /* c */) {
        this.openCell(s, ne, end);
        if (selfClosing) return this.closeCell();
        // the common shape `<c …><v>text</v></c>` in one step, without text capture
        const p = end + 1;
        if (s.startsWith('<v>', p)) {
          const ve = s.indexOf('<', p + 3);
          if (ve >= 0 && s.startsWith('</v></c>', ve)) {
            this.hasValue = true;
            this.scanner.text = s.slice(p + 3, ve);
            this.closeCell();
            return ve + 8;
          }
        }
      } else if (c0 === 118 /* v */) {
        this.hasValue = true;
        this.scanner.capture = !selfClosing;
      } else if (c0 === 116 /* t */) {
        this.scanner.capture = !selfClosing && this.inInline && this.phonetic === 0;
      }
    } else if (len === 3) {
      if (c0 === 114 && s.startsWith('row', ns)) {
        this.openRow(s, ne, end);
        if (selfClosing) this.closeRow();
      } else if (c0 === 114 && s.startsWith('rPh', ns) && !selfClosing) this.phonetic++;
    } else if (len === 2 && c0 === 105 && s.charCodeAt(ns + 1) === 115 /* is */) {
      this.hasValue = true;
      this.inInline = !selfClosing;
    }
  }

  close(s: string, ns: number, ne: number): void {
    const len = ne - ns;
    const c0 = s.charCodeAt(ns);
    if (len === 1) {
      if (c0 === 99) this.closeCell();
      else if (c0 === 118 || c0 === 116) this.scanner.capture = false;
    } else if (len === 3) {
      if (c0 === 114 && s.startsWith('row', ns)) this.closeRow();
      else if (c0 === 114 && s.startsWith('rPh', ns)) this.phonetic--;
    } else if (len === 2 && c0 === 105 && s.charCodeAt(ns + 1) === 115) this.inInline = false;
  }

  private openRow(s: string, i: number, end: number): void {
    let r = NaN;
    for (let a = this.nextAttr(s, i, end); a >= 0; a = this.nextAttr(s, this.ve + 1, end)) {
      if (a === 114) r = intAt(s, this.vs, this.ve);
    }
    this.rowNum = Number.isInteger(r) && r > this.rowNum ? r : this.rowNum + 1;
    this.cells = [];
    this.nextCol = 0;
    this.inRow = true;
  }

  private closeRow(): void {
    this.inRow = false;
    this.onRow(this.rowNum, this.cells);
  }

  private openCell(s: string, i: number, end: number): void {
    let col = this.nextCol;
    let type = T_NUM;
    let style = 0;
    for (let a = this.nextAttr(s, i, end); a >= 0; a = this.nextAttr(s, this.ve + 1, end)) {
      const vs = this.vs;
      const ve = this.ve;
      if (a === 114 /* r */) {
        const c = refColumn(s, vs, ve);
        if (c >= MAX_COLUMNS) throw ERRORS.malformedFile(`Cell ${s.slice(vs, Math.min(ve, vs + 20))} lies beyond Excel's last column`);
        if (c >= 0) col = c;
      } else if (a === 116 /* t */) type = typeCode(s, vs, ve);
      else if (a === 115 /* s */) {
        const n = intAt(s, vs, ve);
        style = n === n ? n : 0;
      }
    }
    this.col = col;
    this.type = type;
    this.style = style;
    this.hasValue = false;
    this.scanner.text = '';
  }

  // value range of the attribute nextAttr found last
  private vs = 0;
  private ve = 0;

  /**
   * Next attribute in `s[i, end)`: sets vs/ve to its value and returns the char code of a
   * one-letter name (0 for longer names); -1 when there is none.
   */
  private nextAttr(s: string, i: number, end: number): number {
    const eq = s.indexOf('=', i);
    if (eq < 0 || eq >= end) return -1;
    let ne = eq;
    while (ne > i && s.charCodeAt(ne - 1) <= 32) ne--;
    let ns = ne;
    while (ns > i && s.charCodeAt(ns - 1) > 32 && s.charCodeAt(ns - 1) !== 58) ns--;
    let v = eq + 1;
    while (v < end && s.charCodeAt(v) <= 32) v++;
    const q = s.charCodeAt(v);
    if (q !== 34 && q !== 39) return -1;
    const ve = s.indexOf(q === 34 ? '"' : "'", v + 1);
    if (ve < 0 || ve > end) return -1;
    this.vs = v + 1;
    this.ve = ve;
    return ne - ns === 1 ? s.charCodeAt(ns) : 0;
  }

  private closeCell(): void {
    this.scanner.capture = false;
    const v = this.cellValue();
    const col = this.col;
    this.nextCol = col + 1;
    if (v === null || !this.inRow) return;
    const cells = this.cells;
    // push rather than index past the end, to keep the array packed (no holes)
    while (cells.length < col) cells.push(null);
    if (cells.length === col) cells.push(v);
    else cells[col] = v;
  }

  private cellValue(): CellValue {
    if (!this.hasValue) return null;
    const text = decodeXmlText(this.scanner.text, this.part);
    switch (this.type) {
      case T_SHARED: {
        const s = this.ctx.sharedStrings[Number(text)];
        return s === undefined ? null : s;
      }
      case T_INLINE:
      case T_STR:
        return decodeOoxmlText(text);
      case T_BOOL:
        return text === '1' || text === 'true';
      case T_ERROR:
        return text;
      case T_DATE:
        return isoDateCell(text);
      default: {
        if (text === '') return null;
        const n = Number(text);
        if (Number.isNaN(n)) return text;
        const kind = this.ctx.dateKinds[this.style] ?? NOT_DATE;
        return kind === NOT_DATE ? n : excelSerialToIso(n, this.ctx.date1904, kind);
      }
    }
  }
}

/**
 * Streams a worksheet part and hands each row to `onRow` (1-based row number, cells placed by
 * their `r` reference, so sparse rows and columns cost only the cells present; the declared
 * `<dimension>` is never trusted). Cell values: see CellValue (formula cells give their cached
 * value; a date-styled number becomes ISO text). The XML is read by the hand-written
 * XmlScanner, not a general parser: this is the hot loop of every xlsx diff.
 */
export async function readWorksheet(
  zip: ZipArchive,
  part: string,
  ctx: SheetContext,
  onRow: (rowNumber: number, cells: CellValue[]) => void,
  signal?: AbortSignal,
): Promise<void> {
  const h = new SheetHandler(ctx, part, onRow);
  h.scanner = new XmlScanner(h, part);
  await scanXmlPart(zip, part, h.scanner, signal);
}
