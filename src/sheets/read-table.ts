import type { Table } from '../domain/table.js';
import { ERRORS } from '../errors/index.js';
import { hasEncryptedPackage, sniffContainer } from './container.js';
import { CSV_SHEET_NAME, readCsvRows } from './csv/read-csv.js';
import { TableBuilder, type RowSink, type SheetInfo } from './table-builder.js';
import { readXlsRows } from './xls/read-xls.js';
import { readXlsxRows } from './xlsx/read-xlsx.js';
import type { SharedStringsOptions } from './xlsx/shared-strings.js';
import type { ZipLimits } from './xlsx/zip-archive.js';

/** Input formats the service accepts (`tsv` is CSV with a preference for tabs). */
export type SheetFormat = 'xlsx' | 'xlsm' | 'xls' | 'csv' | 'tsv';

/** Input format from a file name's extension (content sniffing still decides zip vs text). */
export function formatFromName(path: string): SheetFormat {
  const e = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  return e === 'xlsx' || e === 'xlsm' || e === 'xls' || e === 'tsv' ? e : 'csv';
}

/** Options of {@link readTable}. */
export interface ReadTableOptions {
  /**
   * Sheet to read (exact name, else case-insensitive; `sheet_not_found` when missing); when
   * absent, the first visible worksheet with cells. Ignored for CSV.
   */
  sheet?: string | undefined;
  /**
   * Sheet to read when `sheet` is absent and the workbook has one of this name (exact, else
   * case-insensitive); no error when it has none. The diff passes the old file's sheet here so
   * sheets are matched by name.
   */
  preferSheet?: string | undefined;
  /** 1-based row holding the header; detected per file when absent (see detectHeaderRow). */
  headerRow?: number | undefined;
  /** Most data rows accepted (`too_many_rows` past it). */
  maxRows: number;
  /** Most cells accepted (`too_many_cells` past it). @defaultValue 30,000,000 */
  maxCells?: number;
  signal?: AbortSignal | undefined;
  /** Zip container limits for xlsx/xlsm. @defaultValue DEFAULT_ZIP_LIMITS */
  zipLimits?: ZipLimits;
  /** Wall-clock limit of an .xls parse. @defaultValue 30,000 */
  xlsTimeoutMs?: number;
  /**
   * Bytes an xlsx shared string table may hold in memory before it moves to temporary files
   * under `tmpDir` (see SharedStrings). @defaultValue 64 MiB
   */
  sharedStringsBytes?: number | undefined;
  /** Directory for temporary files. @defaultValue os.tmpdir() */
  tmpDir?: string | undefined;
}

/** The shared strings options of an xlsx read (see ReadTableOptions.sharedStringsBytes). */
export function sharedStringsOptions(opts: ReadTableOptions): { sharedStrings?: SharedStringsOptions } {
  if (opts.sharedStringsBytes === undefined && opts.tmpDir === undefined) return {};
  return { sharedStrings: { budgetBytes: opts.sharedStringsBytes, tmpDir: opts.tmpDir } };
}

/**
 * Reads one sheet of a spreadsheet file into a Table (see Table and CellValue for the model).
 *
 * The declared `format` is checked against the file's first bytes, which win: a zip is read as
 * xlsx/xlsm, an OLE2 compound file as xls unless it holds an encrypted OOXML package
 * (`password_protected`), text as CSV/TSV. An .xls that is text (SpreadsheetML or HTML saved
 * under that name) goes to the xls reader, which understands those too.
 *
 * @throws AppError with codes `sheet_not_found` (details.available lists the sheets),
 *   `empty_sheet`, `too_many_rows`, `too_many_cells`, `malformed_file`, `password_protected`,
 *   `unsupported_format`, `zip_bomb`, `dtd_not_allowed`.
 */
export async function readTable(path: string, format: SheetFormat, opts: ReadTableOptions): Promise<Table> {
  const builder = new TableBuilder({
    maxRows: opts.maxRows,
    ...(opts.headerRow !== undefined && { headerRow: opts.headerRow }),
    ...(opts.maxCells !== undefined && { maxCells: opts.maxCells }),
  });
  const info = await readRows(path, format, opts, (n, cells) => builder.add(n, cells));
  return builder.finish(info.sheetName, info.sheetNames);
}

/**
 * Streams the rows of one sheet to `sink` without building a table (format rules as in
 * {@link readTable}); the caller applies the header row and the limits.
 */
export async function readRows(path: string, format: SheetFormat, opts: ReadTableOptions, sink: RowSink): Promise<SheetInfo> {
  const base = { ...(opts.signal && { signal: opts.signal }) };
  const sheet = opts.sheet ? { sheet: opts.sheet } : opts.preferSheet ? { preferSheet: opts.preferSheet } : {};
  const container = await sniffContainer(path);
  switch (container) {
    case 'zip':
      return readXlsxRows(path, { ...base, ...sheet, ...(opts.zipLimits && { zipLimits: opts.zipLimits }), ...sharedStringsOptions(opts) }, sink);
    case 'cfb':
      if (await hasEncryptedPackage(path, opts.signal)) {
        throw ERRORS.passwordProtected('The workbook is password-protected; save it without a password and upload it again');
      }
      return readXlsRows(path, { ...base, ...sheet, ...(opts.xlsTimeoutMs && { timeoutMs: opts.xlsTimeoutMs }) }, sink);
    case 'empty':
      throw ERRORS.emptySheet(`The ${format} file is empty`, { sheet: CSV_SHEET_NAME });
    case 'text':
      if (format === 'xls') return readXlsRows(path, { ...base, ...sheet }, sink);
      if (format === 'xlsx' || format === 'xlsm') {
        throw ERRORS.malformedFile(`The file is not an ${format} workbook (no zip container)`);
      }
      return readCsvRows(path, { ...base, ...(format === 'tsv' && { prefer: '\t' as const }) }, sink);
  }
}
