import { open } from 'node:fs/promises';
import { HeaderRowDetector } from '../../domain/header-row.js';
import { CELL_CODEC, encodeCellsText, type RecordCodec } from '../../domain/keyed/record-codec.js';
import { uniqueHeaders, type CellValue } from '../../domain/table.js';
import { ERRORS } from '../../errors/index.js';
import { createDecoder, detectEncoding } from '../csv/encoding.js';
import { CSV_SHEET_NAME } from '../csv/read-csv.js';
import { sniffDelimiter } from '../csv/sniff-delimiter.js';
import { readRows, sharedStringsOptions, type ReadTableOptions, type SheetFormat } from '../read-table.js';
import { sniffContainer } from '../container.js';
import { readXlsxSheet } from '../xlsx/read-xlsx.js';
import { csvRecordCodec, parseCsvRecord, scanCsvRecords } from './csv-records.js';
import type { KeyEncoder } from './key-bytes.js';
import { RecordBuilder, type RecordRows } from './xlsx-records.js';

/** Receives one data row: canonical key bytes and row bytes (valid during the call only). */
export type EmitRow = (key: Uint8Array, ks: number, ke: number, row: Uint8Array, rs: number, re: number, rowNumber: number) => void;

/** What reading one side told about its layout. */
export interface SideLayout {
  sheetName: string;
  sheetNames: string[];
  header: string[];
  /** 1-based source row of the header (chosen, or detected). */
  headerRow: number;
  codec: RecordCodec;
  /** Identifies the codec: equal ids and equal headers mean equal bytes are equal rows. */
  codecId: string;
}

/** Called once the header is known (before any row); returns the key column indexes in this file. */
export type KeyColumns = (header: string[], codec: RecordCodec, codecId: string) => number[];

const SAMPLE = 64 * 1024;
const NO_KEY = Buffer.alloc(0);

function lastNonEmpty(cells: readonly CellValue[]): number {
  for (let i = cells.length - 1; i >= 0; i--) {
    const v = cells[i];
    if (v !== null && v !== undefined && v !== '') return i;
  }
  return -1;
}

function headerOf(cells: readonly CellValue[]): string[] {
  const raw = cells.slice(0, lastNonEmpty(cells) + 1).map((v) => (v === null || v === undefined ? '' : String(v)));
  return uniqueHeaders(raw);
}

/**
 * Streams one file's data rows to `emit` as (key bytes, row bytes), never holding the table.
 *
 * UTF-8 CSV/TSV is passed through as raw record bytes (the fast path: no text decoding for rows
 * whose key is plain). Everything else (xlsx, xls, other encodings) goes through its reader and
 * is encoded with encodeCells. Rows above the header row and blank rows are skipped; cells right
 * of the header's last named column are not part of the diff. Without `opts.headerRow` the first
 * non-blank rows are held (copied) until detectHeaderRow decides, then replayed: the per-row
 * cost after that is one test of a flag.
 *
 * @throws AppError `empty_sheet` without a header, `too_many_rows`, `too_many_cells`, and the
 *   readers' codes.
 */
export async function readSide(path: string, format: SheetFormat, opts: ReadTableOptions, keyColumns: KeyColumns, keys: KeyEncoder, emit: EmitRow): Promise<SideLayout> {
  let headerRow = opts.headerRow ?? 1;
  const detector = opts.headerRow === undefined ? new HeaderRowDetector() : undefined;
  let detecting = detector !== undefined;
  const maxCells = opts.maxCells ?? 30_000_000;
  let header: string[] | undefined;
  let width = 0;
  let keyIdx: number[] = [];
  let rows = 0;
  const count = (): void => {
    if (++rows > opts.maxRows) throw ERRORS.tooManyRows(`The sheet has more than ${opts.maxRows} data rows`, { maxRows: opts.maxRows });
    if (rows * width > maxCells) throw ERRORS.tooManyCells(`The sheet has more than ${maxCells} cells`, { maxCells });
  };
  let codec: RecordCodec = CELL_CODEC;
  let codecId = 'cells';
  const setHeader = (cells: readonly CellValue[]): void => {
    header = headerOf(cells);
    width = header.length;
    keyIdx = keyColumns(header, codec, codecId);
  };
  const noHeader = (name: string): never => {
    throw ERRORS.emptySheet(`Sheet "${name}" has no header at row ${headerRow}`, { sheet: name });
  };

  const fast = await csvFastPath(path, format);
  if (fast) {
    const { delimiter, start } = fast;
    const d = delimiter.charCodeAt(0);
    const csvCodec = csvRecordCodec(delimiter);
    codec = csvCodec;
    codecId = `csv:${delimiter}`;
    const text = new TextDecoder();
    const held: [Buffer, number, boolean][] = [];
    const decide = (): void => {
      headerRow = detector!.headerRow();
      detecting = false;
      for (const [b, n, q] of held) onRecord(b, 0, b.length, n, q);
      held.length = 0;
    };
    const onRecord = (buf: Buffer, s: number, e: number, rowNumber: number, quoted: boolean): void => {
      if (detecting) {
        const cells = parseCsvRecord(text.decode(buf.subarray(s, e)), delimiter);
        if (lastNonEmpty(cells) < 0) return;
        held.push([Buffer.from(buf.subarray(s, e)), rowNumber, quoted]);
        if (detector!.add(rowNumber, cells)) decide();
        return;
      }
      if (rowNumber < headerRow) return;
      if (rowNumber === headerRow) return setHeader(parseCsvRecord(text.decode(buf.subarray(s, e)), delimiter));
      let blank = true;
      for (let i = s; i < e; i++) {
        if (buf[i] !== d) {
          blank = false;
          break;
        }
      }
      if (blank) return;
      if (header === undefined) noHeader(CSV_SHEET_NAME);
      if (width === 0) return;
      count();
      if (keyIdx.length === 0) return emit(buf, 0, 0, buf, s, e, rowNumber);
      if (!quoted && keyIdx.length === 1) {
        const k = keyIdx[0]!;
        let ks = s;
        for (let f = 0; f < k && ks <= e; f++) {
          const q = buf.indexOf(d, ks);
          ks = q < 0 || q >= e ? e + 1 : q + 1;
        }
        if (ks <= e) {
          let ke = buf.indexOf(d, ks);
          if (ke < 0 || ke > e) ke = e;
          if (keys.rawIsCanonical(buf, ks, ke)) return emit(buf, ks, ke, buf, s, e, rowNumber);
        } else if (keys.rawIsCanonical(buf, 0, 0)) return emit(buf, 0, 0, buf, s, e, rowNumber);
      }
      const cells = csvCodec.decode(buf, s, e, width);
      const key = keys.fromCells(cells, keyIdx);
      emit(key, 0, key.length, buf, s, e, rowNumber);
    };
    await scanCsvRecords(path, start, delimiter, onRecord, opts.signal);
    if (detecting) decide();
    if (header === undefined) noHeader(CSV_SHEET_NAME);
    return { sheetName: CSV_SHEET_NAME, sheetNames: [CSV_SHEET_NAME], header: header!, headerRow, codec, codecId };
  }

  let rowBuf = Buffer.allocUnsafe(64 * 1024);
  const held: [number, CellValue[]][] = [];
  const decide = (): void => {
    headerRow = detector!.headerRow();
    detecting = false;
    for (const [n, cells] of held) onRow(n, cells);
    held.length = 0;
  };
  const onRow = (rowNumber: number, cells: CellValue[]): void => {
    if (detecting) {
      if (lastNonEmpty(cells) < 0) return;
      const copy = cells.slice(); // a reader may reuse its row array once the call returns
      held.push([rowNumber, copy]);
      if (detector!.add(rowNumber, copy)) decide();
      return;
    }
    if (rowNumber < headerRow) return;
    if (rowNumber === headerRow) return setHeader(cells);
    if (lastNonEmpty(cells) < 0) return;
    if (header === undefined) setHeader([]);
    if (width === 0) return;
    count();
    const key = keyIdx.length ? keys.fromCells(cells, keyIdx) : NO_KEY;
    const text = encodeCellsText(cells, width);
    if (text.length * 3 > rowBuf.length) rowBuf = Buffer.allocUnsafe(text.length * 3);
    emit(key, 0, key.length, rowBuf, 0, rowBuf.write(text, 0), rowNumber);
  };
  if ((await sniffContainer(path)) === 'zip') {
    // rows come as cells until the layout is set (header detection included), then as records
    let builder: RecordBuilder | undefined;
    let layoutSet = false;
    const rowsOut: RecordRows = {
      cellsRow(rowNumber, cells) {
        onRow(rowNumber, cells);
        if (!layoutSet && !detecting && header !== undefined) {
          layoutSet = true;
          builder!.setLayout(width, keyIdx);
        }
      },
      record(key, ks, ke, rec, rs, re, rowNumber) {
        count();
        emit(key, ks, ke, rec, rs, re, rowNumber);
      },
    };
    const xlsxOpts = {
      ...(opts.signal && { signal: opts.signal }),
      ...(opts.sheet ? { sheet: opts.sheet } : opts.preferSheet ? { preferSheet: opts.preferSheet } : {}),
      ...(opts.zipLimits && { zipLimits: opts.zipLimits }),
      ...sharedStringsOptions(opts),
    };
    const info = await readXlsxSheet(path, xlsxOpts, (ctx) => (builder = new RecordBuilder(ctx, rowsOut, keys)));
    if (detecting) decide();
    if (header === undefined || header.length === 0) noHeader(info.sheetName);
    return { sheetName: info.sheetName, sheetNames: info.sheetNames, header: header!, headerRow, codec: CELL_CODEC, codecId: 'cells' };
  }

  const info = await readRows(path, format, opts, onRow);
  if (detecting) decide();
  if (header === undefined || header.length === 0) noHeader(info.sheetName);
  return { sheetName: info.sheetName, sheetNames: info.sheetNames, header: header!, headerRow, codec: CELL_CODEC, codecId: 'cells' };
}

/** The delimiter and start offset when `path` is a UTF-8 CSV the raw scanner can take. */
async function csvFastPath(path: string, format: SheetFormat): Promise<{ delimiter: string; start: number } | undefined> {
  if (format !== 'csv' && format !== 'tsv') return undefined;
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const buf = Buffer.alloc(Math.min(SAMPLE, size));
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const head = buf.subarray(0, bytesRead);
    if (bytesRead === 0 || head.subarray(0, 8).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))) return undefined;
    if (head[0] === 0x50 && head[1] === 0x4b) return undefined;
    const { encoding, bom } = detectEncoding(head);
    if (encoding !== 'utf-8') return undefined;
    // a lone CR ends records in CsvParser; leave such files to it
    for (let i = head.indexOf(CR_BYTE); i >= 0; i = head.indexOf(CR_BYTE, i + 1)) {
      if (i + 1 < head.length && head[i + 1] !== 10) return undefined;
    }
    const text = createDecoder('utf-8').write(head.subarray(bom));
    return { delimiter: sniffDelimiter(text, bytesRead >= size, format === 'tsv' ? '\t' : undefined), start: bom };
  } finally {
    await fh.close();
  }
}
const CR_BYTE = 13;
