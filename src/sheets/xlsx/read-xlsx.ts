import type { Table } from '../../domain/table.js';
import { ERRORS } from '../../errors/index.js';
import { findSheet, selectSheet } from '../select-sheet.js';
import { TableBuilder, type RowSink, type SheetInfo, type TableLimits } from '../table-builder.js';
import { CellsBuilder, type SheetContext } from './cell-values.js';
import { readSharedStrings, SharedStrings, type SharedStringsOptions } from './shared-strings.js';
import { SheetScanner, type CellSink } from './sheet-scanner.js';
import { readDateStyles } from './styles.js';
import { findWorkbookPart, readWorkbook, type SheetRef } from './workbook-parts.js';
import { scanXmlPart } from './xml-part.js';
import { DEFAULT_ZIP_LIMITS, ZipArchive, type ZipLimits } from './zip-archive.js';

/** Options of {@link readXlsx}. */
export interface ReadXlsxOptions extends TableLimits {
  sheet?: string;
  /** Read this sheet when `sheet` is absent and it exists and has cells (see ReadTableOptions). */
  preferSheet?: string;
  signal?: AbortSignal;
  zipLimits?: ZipLimits;
  /** Memory budget of the shared string table and where it spills past it. */
  sharedStrings?: SharedStringsOptions;
}

const SUPPORTED = 'supported formats: xlsx, xlsm, xls, csv, tsv';

/** Refuses zip-based formats that are not OOXML workbooks, naming what they are. */
async function refuseOtherZipFormats(zip: ZipArchive, signal?: AbortSignal): Promise<void> {
  if (zip.has('mimetype')) {
    const mime = (await zip.readBuffer('mimetype', signal)).toString('latin1').trim();
    if (mime.startsWith('application/vnd.oasis.opendocument')) {
      throw ERRORS.unsupportedFormat(`OpenDocument files (${mime.split('.').pop()}) are not supported; ${SUPPORTED}`, { mime });
    }
  }
  if (zip.has('xl/workbook.bin')) throw ERRORS.unsupportedFormat(`Binary workbooks (xlsb) are not supported; ${SUPPORTED}`);
  if (zip.has('Index/Document.iwa') || zip.has('Index.zip') || zip.names().some((n) => n.startsWith('Index/'))) {
    throw ERRORS.unsupportedFormat(`Apple Numbers files are not supported; ${SUPPORTED}`);
  }
  if (!zip.has('xl/workbook.xml')) {
    if (zip.has('word/document.xml')) throw ERRORS.unsupportedFormat(`This is a Word document; ${SUPPORTED}`);
    if (zip.has('ppt/presentation.xml')) throw ERRORS.unsupportedFormat(`This is a PowerPoint file; ${SUPPORTED}`);
  }
}

/**
 * Reads one sheet of an xlsx/xlsm workbook as a stream: the zip is read through its central
 * directory with container limits, each XML part is SAX-parsed while it inflates, and only the
 * chosen worksheet's cells are kept.
 *
 * @throws AppError `sheet_not_found`, `empty_sheet`, `too_many_rows`, `too_many_cells`,
 *   `malformed_file`, `unsupported_format`, `zip_bomb`, `dtd_not_allowed`.
 */
export async function readXlsx(path: string, opts: ReadXlsxOptions): Promise<Table> {
  const builder = new TableBuilder(opts);
  const info = await readXlsxRows(path, opts, (n, cells) => builder.add(n, cells));
  return builder.finish(info.sheetName, info.sheetNames);
}

/** Streams the rows of one sheet of an xlsx/xlsm workbook to `sink` (see readXlsx). */
export async function readXlsxRows(path: string, opts: Omit<ReadXlsxOptions, 'maxRows'>, sink: RowSink): Promise<SheetInfo> {
  return readXlsxSheet(path, opts, (ctx) => new CellsBuilder(ctx, sink));
}

/** A CellSink that counts the rows it found with a non-empty cell. */
export interface CountingCellSink extends CellSink {
  readonly rows: number;
}

/**
 * Streams one sheet of an xlsx/xlsm workbook cell by cell into the sink `makeSink` builds for
 * it (see SheetScanner). The zip is read through its central directory with container limits,
 * the shared strings are read first (wherever they lie in the zip) into a compact table (in
 * temporary files past `sharedStrings.budgetBytes`, removed before this returns), and
 * the worksheet is scanned as bytes while it inflates. With no sheet chosen, the first visible
 * worksheet with a non-empty row is read (then hidden ones); a sink is made per sheet tried.
 *
 * @throws AppError `sheet_not_found`, `empty_sheet`, `malformed_file`, `unsupported_format`,
 *   `zip_bomb`, `dtd_not_allowed`, and whatever the sink throws.
 */
export async function readXlsxSheet(path: string, opts: Omit<ReadXlsxOptions, 'maxRows'>, makeSink: (ctx: SheetContext) => CountingCellSink): Promise<SheetInfo> {
  const { signal } = opts;
  const zip = await ZipArchive.open(path, opts.zipLimits ?? DEFAULT_ZIP_LIMITS);
  let sharedStrings: SharedStrings | undefined;
  try {
    await refuseOtherZipFormats(zip, signal);
    const wbPart = await findWorkbookPart(zip, signal);
    if (wbPart.toLowerCase().endsWith('.bin')) throw ERRORS.unsupportedFormat(`Binary workbooks (xlsb) are not supported; ${SUPPORTED}`);
    const wb = await readWorkbook(zip, wbPart, signal);
    const names = wb.sheets.map((s) => s.name);
    const readable = (s: SheetRef): boolean => s.kind === 'worksheet' && s.part !== '' && zip.has(s.part);
    let candidates: SheetRef[];
    if (opts.sheet) {
      const sheet = wb.sheets[selectSheet(names, opts.sheet)]!;
      if (!readable(sheet)) {
        if (sheet.kind && sheet.kind !== 'worksheet') {
          throw ERRORS.emptySheet(`Sheet "${sheet.name}" is a ${sheet.kind}, not a worksheet with cells`, { sheet: sheet.name });
        }
        throw ERRORS.malformedFile(`The part of sheet "${sheet.name}" is missing from the file`, { sheet: sheet.name });
      }
      candidates = [sheet];
    } else {
      // none chosen: the preferred sheet, the first visible worksheet with cells, then hidden ones
      candidates = [...wb.sheets.filter((s) => !s.hidden && readable(s)), ...wb.sheets.filter((s) => s.hidden && readable(s))];
      const preferred = opts.preferSheet === undefined ? -1 : findSheet(names, opts.preferSheet);
      const p = preferred >= 0 ? wb.sheets[preferred]! : undefined;
      if (p && readable(p)) candidates = [p, ...candidates.filter((s) => s !== p)];
      if (candidates.length === 0) {
        if (names.length === 0) throw ERRORS.emptySheet('The workbook has no sheets');
        throw ERRORS.emptySheet(`The workbook has no worksheet with cells (sheets: ${names.join(', ')})`, { available: names });
      }
    }
    sharedStrings = wb.sharedStrings ? await readSharedStrings(zip, wb.sharedStrings, signal, opts.sharedStrings) : new SharedStrings();
    const dateKinds = wb.styles ? await readDateStyles(zip, wb.styles, signal) : [];
    for (const sheet of candidates) {
      const xmlBytes = zip.entrySize(sheet.part) + (wb.sharedStrings ? zip.entrySize(wb.sharedStrings) : 0);
      const sink = makeSink({ sharedStrings, dateKinds, date1904: wb.date1904, part: sheet.part, xmlBytes });
      await scanXmlPart(zip, sheet.part, new SheetScanner(sink, sheet.part), signal);
      if (sink.rows > 0 || candidates.length === 1) return { sheetName: sheet.name, sheetNames: names };
    }
    return { sheetName: candidates[0]!.name, sheetNames: names };
  } finally {
    try {
      sharedStrings?.close();
    } finally {
      zip.close();
    }
  }
}
