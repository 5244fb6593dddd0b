import type { Writable } from 'node:stream';
import type { DiffResult } from '../domain/diff-result.js';
import { writeDiffSheet } from './write/diff-sheet.js';
import { writeSummarySheet, type DiffMeta } from './write/summary-sheet.js';
import { XlsxWriter } from './write/xlsx-writer.js';

export type { DiffMeta } from './write/summary-sheet.js';

/**
 * Streams the diff as an .xlsx workbook to `out` with flat memory (see XlsxWriter): the sheet
 * XML is generated row by row into a streamed zip and every write waits for the consumer.
 *
 * Sheets: "Summary" (files, key, counts per change type and per column, options) and "Diff"
 * (see writeDiffSheet: coloured rows, `new ← old` changed cells, frozen header, autofilter).
 * All text is written as inline strings, never as formulas. Resolves once `out` has finished.
 */
export async function writeDiffXlsx(result: DiffResult, meta: DiffMeta, out: Writable): Promise<void> {
  const xlsx = new XlsxWriter(out, { level: 3 });
  try {
    await writeSummarySheet(result, meta, xlsx);
    await writeDiffSheet(result, xlsx);
    await xlsx.finish();
  } catch (err) {
    xlsx.abort(err as Error);
    throw err;
  }
}
