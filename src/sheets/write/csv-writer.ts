import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { CellInput, ColumnSpec } from './columns.js';
import { ChunkedWriter } from './stream-write.js';
import { dateSerial, numberText } from './sheet-writer.js';
import { neutraliseFormula } from './xml-text.js';

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/** One CSV field: neutralised against formula injection, quoted when needed (RFC 4180). */
export function csvField(s: string): string {
  const t = neutraliseFormula(s);
  return NEEDS_QUOTES.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}

/** Options of {@link CsvWriter}. */
export interface CsvWriterOptions {
  /** Start with a UTF-8 BOM so Excel opens CJK text correctly. @defaultValue true */
  bom?: boolean;
  /** Line end. @defaultValue '\r\n' (RFC 4180) */
  eol?: string;
  /** Write a header row of the column names. @defaultValue true */
  header?: boolean;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** ISO text of a date value for CSV (`YYYY-MM-DD`, or with `THH:MM:SS` for datetime columns). */
function dateText(v: CellInput, withTime: boolean): string | null {
  const serial = dateSerial(v);
  if (serial === null) return null;
  const d = new Date(Math.round((serial - 25_569) * 86_400_000));
  const day = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  return withTime ? `${day}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}` : day;
}

/**
 * Streams typed rows as CSV with backpressure. Numbers are written as numbers, booleans as
 * `TRUE`/`FALSE`, dates as ISO text (ISO strings in date columns pass through unchanged), and
 * every text field is neutralised against formula injection (see neutraliseFormula).
 */
export class CsvWriter {
  private readonly w: ChunkedWriter;
  private readonly eol: string;
  private readonly dateKinds: Uint8Array;
  private started = false;

  constructor(
    private readonly out: Writable,
    private readonly columns: readonly ColumnSpec[],
    private readonly opts: CsvWriterOptions = {},
  ) {
    this.w = new ChunkedWriter(out);
    this.eol = opts.eol ?? '\r\n';
    this.dateKinds = Uint8Array.from(columns.map((c) => (c.type === 'date' ? 1 : c.type === 'datetime' ? 2 : 0)));
  }

  /** The BOM (when asked for) and the header line (when asked for): what the file starts with. */
  headText(): string {
    let head = this.opts.bom ?? true ? '\uFEFF' : '';
    if (this.opts.header ?? true) head += this.columns.map((c) => csvField(c.header)).join(',') + this.eol;
    return head;
  }

  /** One row as CSV text, line end included (what writeRow writes). */
  rowText(values: readonly CellInput[]): string {
    let line = '';
    const n = this.columns.length;
    for (let c = 0; c < n; c++) {
      if (c > 0) line += ',';
      const v = values[c];
      if (v === null || v === undefined) continue;
      if (typeof v === 'number') line += Number.isFinite(v) ? numberText(v) : csvField(String(v));
      else if (typeof v === 'boolean') line += v ? 'TRUE' : 'FALSE';
      else if (v instanceof Date || this.dateKinds[c] !== 0) {
        const text = typeof v === 'string' ? v : dateText(v, this.dateKinds[c] !== 1);
        line += csvField(text ?? '');
      } else line += csvField(v);
    }
    return line + this.eol;
  }

  private start(): Promise<void> | null {
    this.started = true;
    const head = this.headText();
    return head ? this.w.add(head) : null;
  }

  /** Writes one row; returns a promise only when the destination is full. */
  writeRow(values: readonly CellInput[]): Promise<void> | null {
    const p = this.started ? null : this.start();
    const q = this.w.add(this.rowText(values));
    return p && q ? Promise.all([p, q]).then(() => undefined) : (p ?? q);
  }

  /** Flushes, ends `out` and waits until it has finished. */
  async finish(): Promise<void> {
    if (!this.started) {
      const p = this.start();
      if (p) await p;
    }
    await this.w.flush();
    this.out.end();
    await finished(this.out);
  }
}
