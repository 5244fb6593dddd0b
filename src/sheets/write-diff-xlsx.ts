import { PassThrough, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import type { DiffResult } from '../domain/diff-result.js';
import { writeDiffSheet } from './write/diff-sheet.js';
import { contentTypesXml, ROOT_RELS, STYLES_XML, workbookRelsXml, workbookXml } from './write/ooxml-parts.js';
import { summarySheetXml, type DiffMeta } from './write/summary-sheet.js';

export type { DiffMeta } from './write/summary-sheet.js';

/**
 * Streams the diff as an .xlsx workbook to `out` with flat memory: the sheet XML is generated
 * row by row into a zip entry (yazl, deflate level 4) and every write waits for the consumer.
 *
 * Sheets: "Summary" (files, key, counts per change type and per column, options) and "Diff"
 * (see writeDiffSheet: coloured rows, `new ← old` changed cells, frozen header, autofilter).
 * All text is written as inline strings, never as formulas. Resolves once `out` has finished.
 */
export async function writeDiffXlsx(result: DiffResult, meta: DiffMeta, out: Writable): Promise<void> {
  const zip = new yazl.ZipFile();
  const sheet = new PassThrough({ highWaterMark: 256 * 1024 });
  const done = pipeline(zip.outputStream, out);
  // If the destination fails, stop the row loop, which may be waiting for 'drain'.
  done.catch((err: unknown) => sheet.destroy(err as Error));
  const add = (name: string, xml: string): void => zip.addBuffer(Buffer.from(xml, 'utf8'), name, { compressionLevel: 6 });
  try {
    add('[Content_Types].xml', contentTypesXml(2));
    add('_rels/.rels', ROOT_RELS);
    add('xl/_rels/workbook.xml.rels', workbookRelsXml(2));
    add('xl/styles.xml', STYLES_XML);
    add('xl/worksheets/sheet1.xml', summarySheetXml(result, meta));
    zip.addReadStream(sheet, 'xl/worksheets/sheet2.xml', { compressionLevel: 4 });
    const filterRef = await writeDiffSheet(result, sheet);
    sheet.end();
    add('xl/workbook.xml', workbookXml([{ name: 'Summary' }, { name: 'Diff', filterRef }], 0));
    zip.end();
  } catch (err) {
    sheet.destroy();
    out.destroy(err as Error);
    await done.catch(() => undefined);
    throw err;
  }
  await done;
}
