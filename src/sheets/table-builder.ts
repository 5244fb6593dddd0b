import { HeaderRowDetector } from '../domain/header-row.js';
import { uniqueHeaders, type CellValue, type Table } from '../domain/table.js';
import { ERRORS } from '../errors/index.js';

/** Receives the rows a reader streams: 1-based source row number and a fresh cell array. */
export type RowSink = (rowNumber: number, cells: CellValue[]) => void;

/** Which sheet a reader streamed. */
export interface SheetInfo {
  sheetName: string;
  sheetNames: string[];
}

/** Limits and the header row, shared by every reader. */
export interface TableLimits {
  /** 1-based row holding the header; detected from the first rows when absent (see detectHeaderRow). */
  headerRow?: number | undefined;
  /** Most data rows accepted (too_many_rows past it). */
  maxRows: number;
  /** Most cells accepted over all rows (too_many_cells past it). @defaultValue 30,000,000 */
  maxCells?: number;
}

const DEFAULT_MAX_CELLS = 30_000_000;

function lastNonEmpty(cells: readonly CellValue[]): number {
  for (let i = cells.length - 1; i >= 0; i--) {
    const v = cells[i];
    if (v !== null && v !== undefined && v !== '') return i;
  }
  return -1;
}

/**
 * Collects the rows a reader streams into a {@link Table}: skips rows above the header, drops
 * blank rows, trims trailing empty cells past the header's width, enforces the row and cell limits as rows arrive (so
 * a reader stops early), and at the end names the columns and pads rows to the header width.
 * Without a chosen header row the first rows are held until the header is detected, then
 * replayed.
 *
 * Row arrays are taken over, not copied: a reader must hand a fresh array per row.
 */
export class TableBuilder {
  private headerRow: number;
  private readonly detected: boolean;
  private detector: HeaderRowDetector | undefined;
  private pending: [number, CellValue[]][] = [];
  private readonly maxRows: number;
  private readonly maxCells: number;
  private header: CellValue[] | undefined;
  private readonly rows: CellValue[][] = [];
  private readonly rowNumbers: number[] = [];
  private width = 0;
  private headerWidth = 0;
  private cells = 0;
  private sawAnyRow = false;

  constructor(limits: TableLimits) {
    this.headerRow = limits.headerRow ?? 1;
    this.detected = limits.headerRow === undefined;
    if (this.detected) this.detector = new HeaderRowDetector();
    this.maxRows = limits.maxRows;
    this.maxCells = limits.maxCells ?? DEFAULT_MAX_CELLS;
  }

  /** Adds the row at 1-based source row `rowNumber`; rows must arrive in increasing order. */
  add(rowNumber: number, cells: CellValue[]): void {
    if (this.detector) {
      // blank rows are neither candidates nor data: not held
      if (lastNonEmpty(cells) < 0) return;
      this.pending.push([rowNumber, cells]);
      if (this.detector.add(rowNumber, cells)) this.decideHeader();
      return;
    }
    if (rowNumber < this.headerRow) {
      this.sawAnyRow ||= lastNonEmpty(cells) >= 0;
      return;
    }
    const last = lastNonEmpty(cells);
    if (rowNumber === this.headerRow) {
      this.header = cells;
      cells.length = last + 1;
      this.headerWidth = last + 1;
      if (last >= this.width) this.width = last + 1;
      return;
    }
    if (last < 0) return;
    this.header ??= [];
    if (this.rows.length >= this.maxRows) {
      throw ERRORS.tooManyRows(`The sheet has more than ${this.maxRows} data rows`, { maxRows: this.maxRows });
    }
    // empty values ('' in a CSV) up to the header's width stay: an empty field is not a
    // missing one (emptyEqualsMissing); nulls pad the rest in finish
    cells.length = Math.max(last + 1, Math.min(cells.length, this.headerWidth));
    this.cells += last + 1;
    if (this.cells > this.maxCells) {
      throw ERRORS.tooManyCells(`The sheet has more than ${this.maxCells} cells`, { maxCells: this.maxCells });
    }
    if (last >= this.width) this.width = last + 1;
    this.rows.push(cells);
    this.rowNumbers.push(rowNumber);
  }

  private decideHeader(): void {
    this.headerRow = this.detector!.headerRow();
    this.detector = undefined;
    const rows = this.pending;
    this.pending = [];
    for (const [n, cells] of rows) this.add(n, cells);
  }

  /** The finished table. @throws AppError `empty_sheet` when there is no header and no data. */
  finish(sheetName: string, sheetNames: string[]): Table {
    if (this.detector) this.decideHeader();
    const width = this.width;
    if (width === 0) {
      const why = this.sawAnyRow ? `has nothing at or below header row ${this.headerRow}` : 'is empty';
      throw ERRORS.emptySheet(`Sheet "${sheetName}" ${why}`, { sheet: sheetName });
    }
    // Padding makes every row as wide as the widest: a lone cell far right costs a full row each.
    if (this.rows.length * width > this.maxCells) {
      throw ERRORS.tooManyCells(
        `The sheet is ${width} columns wide over ${this.rows.length} rows, more than ${this.maxCells} cells`,
        { maxCells: this.maxCells },
      );
    }
    const raw = new Array<string>(width);
    for (let i = 0; i < width; i++) {
      const v = this.header?.[i];
      raw[i] = v === null || v === undefined ? '' : String(v);
    }
    for (const row of this.rows) for (let i = row.length; i < width; i++) row.push(null);
    return {
      sheetName,
      sheetNames,
      header: uniqueHeaders(raw),
      rows: this.rows,
      rowNumbers: this.rowNumbers,
      headerRow: this.headerRow,
      headerRowDetected: this.detected,
    };
  }
}
