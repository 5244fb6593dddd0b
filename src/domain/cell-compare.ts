import type { CompareOptions } from '../contracts/jobs.js';
import type { CellValue } from './table.js';

/** Options that shape how two cells are compared (the comparison subset of CompareOptions). */
export type CellCompareOptions = Pick<
  CompareOptions,
  'trim' | 'collapseWhitespace' | 'ignoreCase' | 'numericTolerance' | 'emptyEqualsMissing'
> &
  Partial<Pick<CompareOptions, 'relativeTolerance' | 'excelDates'>>;

const DATE_TEXT = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?$/;
const SERIAL_EPOCH = Date.UTC(1899, 11, 30);
// Half a millisecond in days: a serial and a date text are the same instant within it (float
// noise of serials), whatever the numeric tolerances say.
const SAME_INSTANT = 0.5 / 86_400_000;

/**
 * Excel serial (1900 system) of an ISO date or date-time text (`2024-03-01`,
 * `2024-03-01T12:30:00`); NaN when `s` is not one. Dates before 1900-03-01 (where Excel's
 * fictitious 1900-02-29 shifts serials) are not converted.
 */
export function dateTextSerial(s: string): number {
  const m = DATE_TEXT.exec(s);
  if (!m) return NaN;
  const t = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), +(m[7] ?? '0').padEnd(3, '0'));
  if (!Number.isFinite(t) || t < Date.UTC(1900, 2, 1)) return NaN;
  return (t - SERIAL_EPOCH) / 86_400_000;
}

const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const WS_RUN = /\s+/g;

/**
 * Parses a cell as a number when it is one: a number cell, or a string that is a plain decimal
 * literal (`12`, `-1.50`, `1e3`). Thousands separators, currency signs and `0x` are not numbers.
 * Returns NaN otherwise.
 */
export function numericValue(v: CellValue): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.length > 0 && v.length < 40 && NUMERIC.test(v)) return Number(v);
  return NaN;
}

/** `true`/`false` for a boolean cell or a string spelling one (any case); undefined otherwise. */
function booleanValue(v: CellValue): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && (v.length === 4 || v.length === 5)) {
    const l = v.toLowerCase();
    if (l === 'true') return true;
    if (l === 'false') return false;
  }
  return undefined;
}

/**
 * Builds the text normaliser the options ask for (trim, whitespace runs, case); identity when
 * none is set, so the common case costs nothing.
 */
export function createTextNormaliser(o: CellCompareOptions): (s: string) => string {
  const { trim, collapseWhitespace, ignoreCase } = o;
  if (!trim && !collapseWhitespace && !ignoreCase) return (s) => s;
  return (s) => {
    let t = s;
    if (collapseWhitespace) t = t.replace(WS_RUN, ' ');
    if (trim) t = t.trim();
    if (ignoreCase) t = t.toLowerCase();
    return t;
  };
}

/**
 * Builds the typed cell equality used by the diff.
 *
 * Order of the rules: identical values are equal; strings are normalised (trim, whitespace,
 * case); empty (`null`, `''`) equals empty, and equals missing only with `emptyEqualsMissing`
 * (then `null` and `''` are the same, otherwise they differ); when both sides are numbers or
 * numeric strings they are compared as numbers within `numericTolerance` plus a relative
 * epsilon of 4 ulp that absorbs binary float noise (`0.30000000000000004` vs `0.3`), so `1.0`
 * equals `1`; with `relativeTolerance`, numbers within that fraction of the larger magnitude
 * are equal; with `excelDates`, a number equals the date text whose Excel serial it is
 * (`45352` = `2024-03-01`) to the millisecond — the numeric tolerances do not apply to dates (a
 * relative tolerance of 1 % would span more than a year of serials); a boolean cell equals the string `true`/`false` in any case (xlsx vs CSV);
 * otherwise the normalised texts are compared.
 */
export function createCellComparer(o: CellCompareOptions): (a: CellValue, b: CellValue) => boolean {
  const norm = createTextNormaliser(o);
  const tol = o.numericTolerance;
  const rel = o.relativeTolerance ?? 0;
  const dates = o.excelDates ?? false;
  const emptyEq = o.emptyEqualsMissing;
  const close = (x: number, y: number): boolean => {
    const d = Math.abs(x - y);
    const m = Math.max(Math.abs(x), Math.abs(y));
    return d <= tol || d <= rel * m || d <= Number.EPSILON * 4 * m;
  };
  return (a, b) => {
    if (a === b) return true;
    const na = typeof a === 'string' ? norm(a) : a;
    const nb = typeof b === 'string' ? norm(b) : b;
    if (na === nb) return true;
    const ea = na === null || na === '';
    const eb = nb === null || nb === '';
    if (ea || eb) return ea && eb && emptyEq;
    const x = numericValue(na);
    const y = numericValue(nb);
    if (x === x && y === y) return close(x, y);
    if (dates) {
      // a date serial on one side, date text on the other
      if (x === x && typeof nb === 'string') {
        const s = dateTextSerial(nb);
        if (s === s) return Math.abs(x - s) <= SAME_INSTANT;
      } else if (y === y && typeof na === 'string') {
        const s = dateTextSerial(na);
        if (s === s) return Math.abs(s - y) <= SAME_INSTANT;
      }
    }
    if (typeof na === 'boolean' || typeof nb === 'boolean') {
      const ba = booleanValue(na);
      return ba !== undefined && ba === booleanValue(nb);
    }
    return String(na) === String(nb);
  };
}

/**
 * Canonical text of one key cell, so the same key read from xlsx (number 7) and CSV (`"7"`,
 * `"7.0"`) lands in the same bucket. Numeric strings with leading zeros (`007`) stay text:
 * they are usually codes, and folding them onto `7` would merge distinct keys.
 */
export function createKeyCanonicaliser(o: CellCompareOptions): (v: CellValue) => string {
  const norm = createTextNormaliser(o);
  return (v) => {
    if (v === null) return '';
    if (typeof v === 'number') return String(v);
    if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
    const s = norm(v);
    const n = numericValue(s);
    if (n === n && !/^[+-]?0\d/.test(s)) return String(n);
    const b = booleanValue(s);
    if (b !== undefined) return b ? 'TRUE' : 'FALSE';
    return s;
  };
}
