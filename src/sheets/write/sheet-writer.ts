import { columnLetter } from '../../domain/table.js';
import { type CellInput, type ColumnSpec, type ColumnType, DEFAULT_FORMATS } from './columns.js';
import { excelSerial, parseIsoDate } from './iso-date.js';
import { worksheetEnd, worksheetStart } from './ooxml-parts.js';
import type { CellStyle, Fill, StyleRegistry } from './styles.js';
import { xmlText } from './xml-text.js';
import type { ZipEntryStream } from './zip-writer.js';

/** Excel's grid: 1,048,576 rows, 16,384 columns, 32,767 characters per cell. */
export const EXCEL_MAX_ROWS = 1_048_576;
export const EXCEL_MAX_COLUMNS = 16_384;
const MAX_CELL_CHARS = 32_767;

/** A worksheet to write. */
export interface SheetSpec {
  name: string;
  columns: readonly ColumnSpec[];
  /** Write a header row of the column names. @defaultValue true */
  header?: boolean;
  /** Freeze the header row. @defaultValue true when there is a header */
  freezeHeader?: boolean;
  /** Autofilter over the header and every written row. @defaultValue false */
  autoFilter?: boolean;
  /** Look of the header row. @defaultValue bold on grey */
  headerStyle?: CellStyle;
}

const K_STRING = 0;
const K_NUMBER = 1;
const K_DATE = 2;
const K_BOOL = 3;
const K_AUTO = 4;
const KIND: Record<ColumnType, number> = { string: K_STRING, number: K_NUMBER, integer: K_NUMBER, currency: K_NUMBER, date: K_DATE, datetime: K_DATE, boolean: K_BOOL, auto: K_AUTO };

/** An inline-string cell; `at` is ` r="B7"` or empty (see writeRow). */
function textCell(at: string, s: string, text: string): string {
  if (text.length > MAX_CELL_CHARS) text = text.slice(0, MAX_CELL_CHARS);
  const t = xmlText(text);
  const c0 = t.charCodeAt(0);
  const space = c0 <= 32 || t.charCodeAt(t.length - 1) <= 32 ? ' xml:space="preserve"' : '';
  return `<c${at}${s} t="inlineStr"><is><t${space}>${t}</t></is></c>`;
}

function textOf(v: string | number | boolean | Date): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '' : v.toISOString();
  return String(v);
}

/**
 * Streams one worksheet's rows into its zip entry.
 *
 * Text is always an inline string (`t="inlineStr"`), never a formula, so `=HYPERLINK(…)` stays
 * text in Excel (formula injection). Values are written by the column's type: numbers as numeric
 * cells, dates (Date objects, ISO strings or Excel serials) as serials with a date format,
 * booleans as boolean cells; a value that does not fit its column's type is written as text
 * rather than lost (callers that must reject such values validate first).
 */
export class SheetWriter {
  private row = 0;
  private readonly letters: string[];
  private readonly kinds: Uint8Array;
  private readonly formats: (string | undefined)[];
  private readonly styleAttrs = new Map<string, string[]>();

  /** @internal created by XlsxWriter.addSheet */
  constructor(
    readonly spec: SheetSpec,
    private readonly entry: ZipEntryStream,
    private readonly styles: StyleRegistry,
  ) {
    const n = spec.columns.length;
    if (n > EXCEL_MAX_COLUMNS) throw new RangeError(`a sheet holds at most ${EXCEL_MAX_COLUMNS} columns, got ${n}`);
    this.letters = spec.columns.map((_, i) => columnLetter(i));
    this.kinds = Uint8Array.from(spec.columns.map((c) => KIND[c.type ?? 'auto']));
    this.formats = spec.columns.map((c) => c.numFmt ?? DEFAULT_FORMATS[c.type ?? 'auto']);
  }

  /** Rows written so far, the header included. */
  get rowCount(): number {
    return this.row;
  }

  /** Data rows that still fit in this sheet. */
  get rowsLeft(): number {
    return EXCEL_MAX_ROWS - this.row;
  }

  /** @internal writes the sheet's opening and header row */
  start(): Promise<void> | null {
    const { spec } = this;
    const header = spec.header ?? true;
    let xml = worksheetStart({ freezeHeader: header && (spec.freezeHeader ?? true), widths: spec.columns.map((c) => c.width) });
    if (header) {
      const base = spec.headerStyle ?? { bold: true, fill: 'grey' as Fill };
      this.row = 1;
      xml += '<row r="1">';
      spec.columns.forEach((c, i) => {
        const style = this.styles.id(c.headerFill ? { ...base, fill: c.headerFill } : base);
        xml += textCell(` r="${this.letters[i]}1"`, style ? ` s="${style}"` : '', c.header);
      });
      xml += '</row>';
    }
    return this.entry.write(xml);
  }

  /** ` s="N"` per column for a fill (or none), computed once per fill. */
  private attrs(fill: Fill | undefined, bold = false): string[] {
    const key = bold ? `b${fill ?? ''}` : (fill ?? '');
    let a = this.styleAttrs.get(key);
    if (!a) {
      a = this.formats.map((numFmt) => {
        const id = this.styles.id({ numFmt, fill, bold });
        return id ? ` s="${id}"` : '';
      });
      this.styleAttrs.set(key, a);
    }
    return a;
  }

  /**
   * Writes one row. `fill` colours the whole row; `cellFills[i]` overrides it for one cell;
   * `bold` sets the whole row in bold.
   * Returns a promise only when the caller must wait for the destination (backpressure):
   * `const p = sheet.writeRow(v); if (p) await p;`.
   */
  writeRow(values: readonly CellInput[], fill?: Fill, cellFills?: readonly (Fill | undefined)[], bold = false): Promise<void> | null {
    if (this.row >= EXCEL_MAX_ROWS) throw new RangeError(`sheet ${this.spec.name} is full (${EXCEL_MAX_ROWS} rows)`);
    const r = String(++this.row);
    const base = this.attrs(fill, bold);
    const n = this.kinds.length;
    let x = `<row r="${r}">`;
    // A cell right after a written one needs no `r` (readers place it in the next column);
    // only a cell after a gap names its position. Saves ~20% of the sheet XML.
    let gap = false;
    for (let c = 0; c < n; c++) {
      const v = values[c];
      const s = cellFills?.[c] !== undefined ? this.attrs(cellFills[c], bold)[c]! : base[c]!;
      if (v === null || v === undefined || v === '') {
        if (s !== '') {
          x += `<c r="${this.letters[c]}${r}"${s}/>`;
          gap = false;
        } else gap = true;
        continue;
      }
      const at = gap || c === 0 ? ` r="${this.letters[c]}${r}"` : '';
      gap = false;
      switch (this.kinds[c]) {
        case K_STRING:
          x += textCell(at, s, textOf(v));
          break;
        case K_NUMBER:
          x += typeof v === 'number' && Number.isFinite(v) ? `<c${at}${s}><v>${v}</v></c>` : textCell(at, s, textOf(v));
          break;
        case K_BOOL:
          x += typeof v === 'boolean' ? `<c${at}${s} t="b"><v>${v ? 1 : 0}</v></c>` : textCell(at, s, textOf(v));
          break;
        case K_DATE: {
          const serial = dateSerial(v);
          x += serial === null ? textCell(at, s, textOf(v)) : `<c${at}${s}><v>${serial}</v></c>`;
          break;
        }
        default:
          if (typeof v === 'number') x += Number.isFinite(v) ? `<c${at}${s}><v>${v}</v></c>` : textCell(at, s, String(v));
          else if (typeof v === 'boolean') x += `<c${at}${s} t="b"><v>${v ? 1 : 0}</v></c>`;
          else if (v instanceof Date) {
            const serial = dateSerial(v);
            x += serial === null ? textCell(at, s, '') : `<c${at}${this.attrsForDate(fill)}><v>${serial}</v></c>`;
          } else x += textCell(at, s, v);
      }
    }
    return this.entry.write(x + '</row>');
  }

  private attrsForDate(fill: Fill | undefined): string {
    return ` s="${this.styles.id({ numFmt: DEFAULT_FORMATS.datetime, fill })}"`;
  }

  /** The autofilter range over everything written (`A1:J100`), or undefined without a header. */
  filterRef(): string | undefined {
    if (!(this.spec.autoFilter ?? false) || !(this.spec.header ?? true) || this.letters.length === 0) return undefined;
    return `A1:${this.letters[this.letters.length - 1]}${Math.max(this.row, 2)}`;
  }

  /** @internal closes the worksheet XML and the zip entry */
  async end(): Promise<void> {
    const p = this.entry.write(worksheetEnd(this.filterRef()));
    if (p) await p;
    await this.entry.close();
  }
}

let lastIso = '';
let lastSerial: number | null = null;

/** Excel serial of a Date, an ISO date string or a serial number; null when it is none of them. */
export function dateSerial(v: CellInput): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (v instanceof Date) {
    const t = v.getTime();
    return Number.isNaN(t) ? null : excelSerial(t);
  }
  if (typeof v !== 'string') return null;
  // Exports often repeat the same date on consecutive rows.
  if (v === lastIso) return lastSerial;
  const t = parseIsoDate(v);
  lastIso = v;
  lastSerial = t === null ? null : excelSerial(t);
  return lastSerial;
}
