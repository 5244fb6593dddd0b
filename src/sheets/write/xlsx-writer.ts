import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { contentTypesXml, ROOT_RELS, workbookRelsXml, workbookXml, type WorkbookSheet } from './ooxml-parts.js';
import { SheetWriter, type SheetSpec } from './sheet-writer.js';
import { StyleRegistry } from './styles.js';
import { ZipWriter, type ZipWriterOptions } from './zip-writer.js';

/** Options of {@link XlsxWriter}. */
export interface XlsxWriterOptions extends ZipWriterOptions {
  /** Index of the sheet Excel opens on. @defaultValue 0 */
  activeSheet?: number;
}

/**
 * Streams an .xlsx workbook to a Writable with flat memory: sheets are written one after the
 * other, row by row, straight into a streamed zip (see ZipWriter), honouring backpressure.
 *
 * ```ts
 * const xlsx = new XlsxWriter(out);
 * const sheet = await xlsx.addSheet({ name: 'Orders', columns: [{ header: 'id', type: 'integer' }] });
 * for (const r of rows) { const p = sheet.writeRow(r); if (p) await p; }
 * await xlsx.finish(); // ends `out` and waits until it has finished
 * ```
 *
 * The package parts that depend on the sheet list (workbook, relationships, content types,
 * styles) are written last, once every sheet is known.
 */
export class XlsxWriter {
  private readonly zip: ZipWriter;
  private readonly styles = new StyleRegistry();
  private readonly sheets: WorkbookSheet[] = [];
  private readonly names = new Set<string>();
  private current: SheetWriter | undefined;

  constructor(
    private readonly out: Writable,
    private readonly opts: XlsxWriterOptions = {},
  ) {
    this.zip = new ZipWriter(out, opts);
  }

  /** Bytes written to the output so far. */
  get bytesWritten(): number {
    return this.zip.bytesWritten;
  }

  /** Ends the sheet being written (if any) and starts a new one. */
  async addSheet(spec: SheetSpec): Promise<SheetWriter> {
    await this.endSheet();
    const name = sheetName(spec.name);
    if (this.names.has(name.toLowerCase())) throw new RangeError(`duplicate sheet name ${JSON.stringify(name)}`);
    this.names.add(name.toLowerCase());
    const entry = await this.zip.openEntry(`xl/worksheets/sheet${this.sheets.length + 1}.xml`);
    const sheet = new SheetWriter({ ...spec, name }, entry, this.styles);
    this.sheets.push({ name });
    this.current = sheet;
    const p = sheet.start();
    if (p) await p;
    return sheet;
  }

  private async endSheet(): Promise<void> {
    const s = this.current;
    if (!s) return;
    this.current = undefined;
    await s.end();
    this.sheets[this.sheets.length - 1]!.filterRef = s.filterRef();
  }

  /** Ends the last sheet, writes the package parts and the zip directory, ends `out`. */
  async finish(): Promise<void> {
    await this.endSheet();
    if (this.sheets.length === 0) throw new RangeError('a workbook needs at least one sheet');
    const n = this.sheets.length;
    await this.zip.addBuffer('xl/workbook.xml', workbookXml(this.sheets, this.opts.activeSheet ?? 0));
    await this.zip.addBuffer('xl/styles.xml', this.styles.xml());
    await this.zip.addBuffer('xl/_rels/workbook.xml.rels', workbookRelsXml(n));
    await this.zip.addBuffer('_rels/.rels', ROOT_RELS);
    await this.zip.addBuffer('[Content_Types].xml', contentTypesXml(n));
    await this.zip.finish();
    this.out.end();
    await finished(this.out);
  }

  /** Stops after a failure: destroys the output so nothing half-written looks complete. */
  abort(err: Error): void {
    this.out.destroy(err);
  }
}

/**
 * A name Excel accepts: at most 31 characters, none of `[]:*?/\`, not blank, no leading or
 * trailing apostrophe.
 */
export function sheetName(name: string): string {
  const cleaned = name.replace(/[[\]:*?/\\\x00-\x1f]/g, ' ').replace(/^'+|'+$/g, '').trim().slice(0, 31).trim();
  return cleaned || 'Sheet1';
}
