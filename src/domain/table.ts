/**
 * One cell of a table, whatever file format it came from.
 *
 * - `string`: text. CSV cells are always strings (the reader never guesses types; the diff
 *   compares numeric-looking strings numerically instead).
 * - `number`: a finite or non-finite JS number from a numeric spreadsheet cell.
 * - `boolean`: a spreadsheet boolean cell.
 * - `null`: an empty or missing cell.
 *
 * Dates are ISO 8601 strings without a zone, because spreadsheet dates are wall-clock values
 * with no zone: `YYYY-MM-DD` for whole days, `YYYY-MM-DDTHH:MM:SS` (plus `.sss` when there are
 * milliseconds) otherwise, `HH:MM:SS` for a time-only format below one day. This keeps cells
 * JSON-ready and allocation-free, and makes an xlsx date equal to the same date typed as
 * `2024-03-01` in a CSV.
 */
export type CellValue = string | number | boolean | null;

/**
 * One sheet read into memory: the header row and the data rows beneath it.
 *
 * Invariants the readers guarantee: `header` names are non-empty and unique after
 * {@link normaliseHeader}; every row has exactly `header.length` cells; fully blank rows are
 * dropped (they carry nothing a keyed diff could match).
 */
export interface Table {
  /** The sheet that was read (`'Sheet1'`-like for CSV: the file has no sheet names). */
  sheetName: string;
  /** Every sheet of the workbook, in workbook order. */
  sheetNames: string[];
  header: string[];
  rows: CellValue[][];
  /**
   * 1-based row number in the source of each entry of `rows` (the spreadsheet row, or the CSV
   * record number counting the header), so a report can point at the original line.
   */
  rowNumbers?: number[];
  /** 1-based source row the header was read from. @defaultValue 1 */
  headerRow?: number;
  /** True when {@link headerRow} was detected (see detectHeaderRow) rather than chosen. */
  headerRowDetected?: boolean;
}

/** Normalised form of a header name used for matching: trimmed, case-insensitive. */
export function normaliseHeader(name: string): string {
  return name.trim().toLowerCase();
}

/** Spreadsheet column letters of a 0-based column index: 0 → A, 25 → Z, 26 → AA. */
export function columnLetter(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = (n - 1 - r) / 26;
  }
  return s;
}

/** 0-based column index of column letters (`A` → 0, `aa` → 26); -1 when `s` is not letters. */
export function columnIndex(s: string): number {
  const t = s.trim().toUpperCase();
  if (t.length === 0 || t.length > 3) return -1;
  let n = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c < 65 || c > 90) return -1;
    n = n * 26 + (c - 64);
  }
  return n - 1;
}

/**
 * Makes header names usable as column identities: empty names become the column letter (`C`),
 * repeated names get a suffix (`name`, `name_2`, `name_3`), compared after
 * {@link normaliseHeader} so `Name` and `name` count as a repeat.
 */
export function uniqueHeaders(raw: readonly string[]): string[] {
  const out = new Array<string>(raw.length);
  const seen = new Set<string>();
  // next free suffix per repeated name, so 16,384 copies of one name stay linear
  const nextSuffix = new Map<string, number>();
  for (let i = 0; i < raw.length; i++) {
    const name = (raw[i] ?? '').trim();
    let candidate = name === '' ? columnLetter(i) : name;
    const norm = normaliseHeader(candidate);
    if (seen.has(norm)) {
      let k = nextSuffix.get(norm) ?? 2;
      while (seen.has(normaliseHeader(`${candidate}_${k}`))) k++;
      nextSuffix.set(norm, k + 1);
      candidate = `${candidate}_${k}`;
    }
    seen.add(normaliseHeader(candidate));
    out[i] = candidate;
  }
  return out;
}
