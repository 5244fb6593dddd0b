import type { CellValue } from '../../domain/table.js';
import { excelSerialToIso, NOT_DATE, type DateKind } from '../excel-date.js';
import type { RowSink } from '../table-builder.js';
import { decodeOoxmlText, rawXmlText } from './ooxml-text.js';
import type { SharedStrings } from './shared-strings.js';
import { intAt, T_BOOL, T_DATE, T_ERROR, T_NUM, T_SHARED, type CellSink } from './sheet-scanner.js';

/** What a worksheet's cells refer to. */
export interface SheetContext {
  sharedStrings: SharedStrings;
  /** Date kind per cell style index (`s`). */
  dateKinds: readonly DateKind[];
  date1904: boolean;
  /** Part name, for error messages. */
  part: string;
  /** Uncompressed bytes of the worksheet part and the shared strings part together. */
  xmlBytes: number;
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * The number in `b[s, e)` when it is a plain decimal of at most 15 digits (`-12`, `3.25`), else
 * NaN. Exact: the digits and the power of ten are both representable, so one division rounds
 * to the same double as `Number(text)`.
 */
export function plainDecimal(b: Uint8Array, s: number, e: number): number {
  let i = s;
  const neg = b[i] === 45;
  if (neg) i++;
  let m = 0;
  let digits = 0;
  let dot = -1;
  for (; i < e; i++) {
    const c = b[i]!;
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
    } else if (c === 46 && dot < 0) dot = digits;
    else return NaN;
  }
  if (digits === 0 || digits > 15 || dot === 0 || dot === digits) return NaN;
  const v = dot < 0 ? m : m / POW10[digits - dot]!;
  return neg ? -v : v;
}

/**
 * True when `b[s, e)` is a JS decimal literal (`-1.5E-3`: sign, digits, optional fraction and
 * exponent), so `Number()` of its text is the cell's number and it can be stored as it is.
 */
export function isNumberLiteral(b: Uint8Array, s: number, e: number): boolean {
  let i = s;
  if (b[i] === 45) i++;
  const d0 = i;
  while (i < e && b[i]! >= 48 && b[i]! <= 57) i++;
  if (i === d0) return false;
  if (i < e && b[i] === 46) {
    const f0 = ++i;
    while (i < e && b[i]! >= 48 && b[i]! <= 57) i++;
    if (i === f0) return false;
  }
  if (i < e && (b[i] === 69 || b[i] === 101)) {
    i++;
    if (i < e && (b[i] === 43 || b[i] === 45)) i++;
    const x0 = i;
    while (i < e && b[i]! >= 48 && b[i]! <= 57) i++;
    if (i === x0) return false;
  }
  return i === e;
}

/** `YYYY-MM-DDTHH:MM:SS[.sss][Z]` of a `t="d"` cell in the forms of CellValue. */
function isoDateCell(v: string): string {
  let s = v.trim();
  if (s.endsWith('Z')) s = s.slice(0, -1);
  if (s.endsWith('T00:00:00') || s.endsWith('T00:00:00.000')) s = s.slice(0, s.indexOf('T'));
  return s;
}

/**
 * The value of a cell from its type, style and raw character data (see CellValue): shared
 * strings by index, numbers (date-styled ones as ISO text), booleans, errors as their text,
 * inline and formula strings with entities and `_xHHHH_` escapes decoded.
 */
export function cellValue(ctx: SheetContext, type: number, style: number, b: Uint8Array, s: number, e: number): CellValue {
  switch (type) {
    case T_SHARED: {
      const i = intAt(b, s, e);
      return ctx.sharedStrings.get(i === i ? i : Number(rawXmlText(b, s, e, ctx.part))) ?? null;
    }
    case T_NUM: {
      if (s === e) return null;
      let n = plainDecimal(b, s, e);
      if (n !== n) {
        const text = rawXmlText(b, s, e, ctx.part);
        if (text === '') return null;
        n = Number(text);
        if (Number.isNaN(n)) return text;
      }
      const kind = ctx.dateKinds[style] ?? NOT_DATE;
      return kind === NOT_DATE ? n : excelSerialToIso(n, ctx.date1904, kind);
    }
    case T_BOOL: {
      if (e - s === 1 && (b[s] === 49 || b[s] === 48)) return b[s] === 49;
      const text = rawXmlText(b, s, e, ctx.part);
      return text === '1' || text === 'true';
    }
    case T_ERROR:
      return rawXmlText(b, s, e, ctx.part);
    case T_DATE:
      return isoDateCell(rawXmlText(b, s, e, ctx.part));
    default:
      return decodeOoxmlText(rawXmlText(b, s, e, ctx.part));
  }
}

/**
 * Builds each row as a fresh CellValue array (cells placed by column, holes null) and hands
 * rows with at least one non-empty cell to a RowSink.
 */
export class CellsBuilder implements CellSink {
  private cells: CellValue[] = [];
  private rowNumber = 0;
  /** Rows handed over so far (rows with a non-empty cell). */
  rows = 0;

  constructor(
    private readonly ctx: SheetContext,
    private readonly onRow: RowSink,
  ) {}

  row(rowNumber: number): void {
    this.rowNumber = rowNumber;
    this.cells = [];
  }

  cell(col: number, type: number, style: number, b: Uint8Array, s: number, e: number): void {
    const v = cellValue(this.ctx, type, style, b, s, e);
    if (v === null) return;
    const cells = this.cells;
    // push rather than index past the end, to keep the array packed (no holes)
    while (cells.length < col) cells.push(null);
    if (cells.length === col) cells.push(v);
    else cells[col] = v;
  }

  endRow(): void {
    const cells = this.cells;
    for (let i = 0; i < cells.length; i++) {
      const v = cells[i];
      if (v !== null && v !== '') {
        this.rows++;
        this.onRow(this.rowNumber, cells);
        return;
      }
    }
  }
}

