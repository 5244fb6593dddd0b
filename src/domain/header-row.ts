import { dateTextSerial, numericValue } from './cell-compare.js';
import type { CellValue } from './table.js';

/** Non-blank rows, from the top, that may be the header row. */
export const HEADER_CANDIDATE_ROWS = 20;
/** Non-blank rows below a candidate that tell how wide the table is. */
export const HEADER_LOOKAHEAD_ROWS = 10;
/** Share of the table's width a header row must reach. */
const MIN_SPAN = 0.6;
/** Share of a header row's non-empty cells that must be labels (text, not numbers or dates). */
const MIN_LABELS = 0.8;

/** One sampled row: its 1-based source row number and its cells. */
export interface SampledRow {
  rowNumber: number;
  cells: readonly CellValue[];
}

interface RowShape {
  /** Non-empty cells. */
  filled: number;
  /** Index of the last non-empty cell + 1. */
  span: number;
  /** Non-empty cells that read as labels: text that is not a number, a boolean or an ISO date. */
  labels: number;
}

function isLabel(v: CellValue): boolean {
  if (typeof v !== 'string') return false;
  const s = v.trim();
  if (s === '' || numericValue(s) === numericValue(s)) return false;
  const l = s.toLowerCase();
  if (l === 'true' || l === 'false') return false;
  return !(dateTextSerial(s) === dateTextSerial(s));
}

function shapeOf(cells: readonly CellValue[]): RowShape {
  let filled = 0;
  let span = 0;
  let labels = 0;
  for (let i = 0; i < cells.length; i++) {
    const v = cells[i];
    if (v === null || v === undefined || v === '') continue;
    if (typeof v === 'string' && v.trim() === '') continue;
    filled++;
    span = i + 1;
    if (isLabel(v)) labels++;
  }
  return { filled, span, labels };
}

/**
 * Finds the header row of a sheet from its first non-blank rows (pure; the readers sample the
 * rows and call this once per file, never per data row).
 *
 * The table's width at a row is the (upper) median span, up to the last non-empty cell, of the
 * next {@link HEADER_LOOKAHEAD_ROWS} non-blank rows, so a stray note far right does not widen
 * it. A row *spans the table* when it has data rows below, reaches at least 60 % of that width
 * and holds two or more values (one is enough in a one-column table). Then:
 * 1. the first spanning row, among the first {@link HEADER_CANDIDATE_ROWS} non-blank rows,
 *    whose non-empty cells are at least 80 % labels (text that is not a number, a boolean or an
 *    ISO date). A title, a note or a "Generated: 2024-03-01" line above the table does not
 *    span it or holds values, so it is skipped; blank rows are never candidates;
 * 2. else the first spanning row, whatever its values (a header of years: `Region, 2023, 2024`);
 * 3. else the first non-blank row (1 when there is none).
 *
 * Known misses: a header split over two rows (the upper one is taken when it spans), a title
 * above a one-column table, a text line as wide as a narrow table above it (`Company, ACME`
 * over a two-column table), a header of numbers above data rows that are all text. The
 * `headerRow` option overrides the guess; the key assistant shows it.
 */
export function detectHeaderRow(rows: readonly SampledRow[]): number {
  const shapes: RowShape[] = [];
  const sample: SampledRow[] = [];
  for (const r of rows) {
    const s = shapeOf(r.cells);
    if (s.filled === 0) continue;
    shapes.push(s);
    sample.push(r);
  }
  if (sample.length === 0) return 1;
  const candidates = Math.min(HEADER_CANDIDATE_ROWS, sample.length - 1);
  const spans: boolean[] = [];
  for (let i = 0; i < candidates; i++) {
    const below = shapes.slice(i + 1, i + 1 + HEADER_LOOKAHEAD_ROWS).map((s) => s.span).sort((a, b) => a - b);
    const width = below[below.length >> 1]!;
    const s = shapes[i]!;
    spans.push(s.span >= Math.ceil(width * MIN_SPAN - 1e-9) && (s.filled >= 2 || width <= 1));
  }
  for (let i = 0; i < candidates; i++) {
    if (spans[i] && shapes[i]!.labels >= shapes[i]!.filled * MIN_LABELS) return sample[i]!.rowNumber;
  }
  for (let i = 0; i < candidates; i++) if (spans[i]) return sample[i]!.rowNumber;
  return sample[0]!.rowNumber;
}

/**
 * Collects the first rows of a sheet as they stream until the header row can be decided: the
 * readers buffer what {@link add} accepts and replay it once {@link headerRow} is known.
 */
export class HeaderRowDetector {
  private readonly rows: SampledRow[] = [];

  /**
   * Offers one row (cells are kept, not copied); blank rows are not sampled. Returns true once
   * enough rows are sampled to decide.
   */
  add(rowNumber: number, cells: readonly CellValue[]): boolean {
    let blank = true;
    for (const v of cells) {
      if (v !== null && v !== undefined && v !== '') {
        blank = false;
        break;
      }
    }
    if (!blank) this.rows.push({ rowNumber, cells });
    return this.rows.length >= HEADER_CANDIDATE_ROWS + HEADER_LOOKAHEAD_ROWS;
  }

  /** The detected header row (see detectHeaderRow) over the rows sampled so far. */
  headerRow(): number {
    return detectHeaderRow(this.rows);
  }
}
