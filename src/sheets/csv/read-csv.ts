import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Table } from '../../domain/table.js';
import { TableBuilder, type RowSink, type SheetInfo, type TableLimits } from '../table-builder.js';
import { CsvParser } from './csv-parser.js';
import { createDecoder, detectEncoding } from './encoding.js';
import { sniffDelimiter, type Delimiter } from './sniff-delimiter.js';

const SAMPLE_BYTES = 64 * 1024;
/** The name a CSV's only sheet gets (a CSV has no sheet names). */
export const CSV_SHEET_NAME = 'Sheet1';

/** Options of {@link readCsv}. */
export interface ReadCsvOptions extends TableLimits {
  /** Delimiter preferred when the sniffer finds a tie (tab for .tsv). */
  prefer?: Delimiter;
  signal?: AbortSignal;
}

/**
 * Reads a CSV/TSV file as a stream into a Table: encoding detected from the first 64 KiB (see
 * detectEncoding), delimiter sniffed from the first records, NUL characters dropped, every
 * value kept as a string (records shorter than the header are padded with null).
 */
export async function readCsv(path: string, opts: ReadCsvOptions): Promise<Table> {
  const builder = new TableBuilder(opts);
  await readCsvRows(path, opts, (n, cells) => builder.add(n, cells));
  return builder.finish(CSV_SHEET_NAME, [CSV_SHEET_NAME]);
}

/** Streams the records of a CSV/TSV file to `sink` (see readCsv). */
export async function readCsvRows(path: string, opts: Omit<ReadCsvOptions, 'maxRows'>, sink: RowSink): Promise<SheetInfo> {
  const sample = Buffer.alloc(SAMPLE_BYTES);
  const fh = await open(path, 'r');
  let sampleLen: number;
  let size: number;
  try {
    size = (await fh.stat()).size;
    sampleLen = (await fh.read(sample, 0, SAMPLE_BYTES, 0)).bytesRead;
  } finally {
    await fh.close();
  }
  const head = sample.subarray(0, sampleLen);
  const { encoding, bom } = detectEncoding(head);
  const complete = sampleLen >= size;
  const sampleText = createDecoder(encoding).write(head.subarray(bom));
  const delimiter = sniffDelimiter(sampleText, complete, opts.prefer);

  let record = 0;
  const parser = new CsvParser(delimiter, (fields) => sink(++record, fields));
  const decoder = createDecoder(encoding);
  const feed = (text: string): void => {
    parser.push(text.includes('\0') ? text.replaceAll('\0', '') : text);
  };
  const stream = createReadStream(path, { start: bom, highWaterMark: 1 << 20, signal: opts.signal });
  for await (const chunk of stream as AsyncIterable<Buffer>) feed(decoder.write(chunk));
  feed(decoder.end());
  parser.end();
  return { sheetName: CSV_SHEET_NAME, sheetNames: [CSV_SHEET_NAME] };
}
