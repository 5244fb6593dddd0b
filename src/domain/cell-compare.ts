import type { CompareOptions } from '../contracts/jobs.js';
import type { CellValue } from './table.js';

/** Options that shape how two cells are compared (the comparison subset of CompareOptions). */
export type CellCompareOptions = Pick<
  CompareOptions,
  'trim' | 'collapseWhitespace' | 'ignoreCase' | 'numericTolerance' | 'emptyEqualsMissing'
>;

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
 * equals `1`; a boolean cell equals the string `true`/`false` in any case (xlsx vs CSV);
 * otherwise the normalised texts are compared.
 */
export function createCellComparer(o: CellCompareOptions): (a: CellValue, b: CellValue) => boolean {
  const norm = createTextNormaliser(o);
  const tol = o.numericTolerance;
  const emptyEq = o.emptyEqualsMissing;
  return (a, b) => {
    if (a === b) return true;
    const na = typeof a === 'string' ? norm(a) : a;
    const nb = typeof b === 'string' ? norm(b) : b;
    if (na === nb) return true;
    const ea = na === null || na === '';
    const eb = nb === null || nb === '';
    if (ea || eb) return ea && eb && emptyEq;
    const x = numericValue(na);
    if (x === x) {
      const y = numericValue(nb);
      if (y === y) {
        const d = Math.abs(x - y);
        return d <= tol || d <= Number.EPSILON * 4 * Math.max(Math.abs(x), Math.abs(y));
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
