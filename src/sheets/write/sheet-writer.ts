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
/** An auto column holding a Date: written with the datetime format. */
const K_AUTO_DATE = 5;
const KIND: Record<ColumnType, number> = { string: K_STRING, number: K_NUMBER, integer: K_NUMBER, currency: K_NUMBER, date: K_DATE, datetime: K_DATE, boolean: K_BOOL, auto: K_AUTO };

/**
 * The opening tags of one column's cells in one look (fill and boldness), built once: a row
 * then costs one concatenation per cell. `*Tail` is the part after `<c`, so a cell that must
 * name its position is `<c r="B7"` + tail.
 */
interface Look {
  /** ` s="N"` or '' (an empty cell with a style is still written, so its fill shows). */
  attr: string[];
  num: string[];
  numTail: string[];
  bool: string[];
  boolTail: string[];
  str: string[];
  strTail: string[];
}

function lookOf(attrs: readonly string[]): Look {
  const numTail = attrs.map((s) => `${s}><v>`);
  const boolTail = attrs.map((s) => `${s} t="b"><v>`);
  const strTail = attrs.map((s) => `${s} t="inlineStr"><is><t`);
  const open = (tails: string[]): string[] => tails.map((t) => `<c${t}`);
  return { attr: [...attrs], num: open(numTail), numTail, bool: open(boolTail), boolTail, str: open(strTail), strTail };
}

/** Cell text as element content: escaped, at most 32,767 characters, edge spaces kept. */
function textBody(text: string): string {
  if (text.length > MAX_CELL_CHARS) text = text.slice(0, MAX_CELL_CHARS);
  const t = xmlText(text);
  // `<t>` was already written; a value with edge whitespace needs xml:space on it.
  return t.charCodeAt(0) <= 32 || t.charCodeAt(t.length - 1) <= 32 ? ` xml:space="preserve">${t}` : `>${t}`;
}

/** An inline-string cell; `at` is ` r="B7"` or empty (see writeRow). */
function textCell(at: string, s: string, text: string): string {
  return `<c${at}${s} t="inlineStr"><is><t${textBody(text)}</t></is></c>`;
}

/**
 * The text of a finite number, as `String(n)` gives it. `JSON.stringify` is used because it
 * formats without V8's number-to-string cache: the cache keeps every recent result alive, so
 * with millions of distinct numbers its strings survive young-generation GCs and pile up in the
 * old generation (~25 bytes per number, ~130 bytes per 10-column row), and it is twice as fast.
 */
export const numberText = (n: number): string => JSON.stringify(n);

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
  private readonly looks = new Map<string, Look>();
  private plain: Look | undefined;

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

  /** The look of a fill (or none) and boldness, computed once per combination. */
  private look(fill: Fill | undefined, bold = false): Look {
    const key = bold ? `b${fill ?? ''}` : (fill ?? '');
    let l = this.looks.get(key);
    if (!l) {
      l = lookOf(
        this.formats.map((numFmt) => {
          const id = this.styles.id({ numFmt, fill, bold });
          return id ? ` s="${id}"` : '';
        }),
      );
      this.looks.set(key, l);
    }
    return l;
  }

  /**
   * Writes one row. `fill` colours the whole row; `cellFills[i]` overrides it for one cell;
   * `bold` sets the whole row in bold.
   * Returns a promise only when the caller must wait for the destination (backpressure):
   * `const p = sheet.writeRow(v); if (p) await p;`.
   */
  writeRow(values: readonly CellInput[], fill?: Fill, cellFills?: readonly (Fill | undefined)[], bold = false): Promise<void> | null {
    if (this.row >= EXCEL_MAX_ROWS) throw new RangeError(`sheet ${this.spec.name} is full (${EXCEL_MAX_ROWS} rows)`);
    const r = numberText(++this.row);
    const base = fill === undefined && !bold ? (this.plain ??= this.look(undefined)) : this.look(fill, bold);
    const n = this.kinds.length;
    let x = '<row r="' + r + '">';
    // A cell right after a written one needs no `r` (readers place it in the next column);
    // only a cell after a gap names its position. Saves ~20% of the sheet XML.
    let gap = true;
    for (let c = 0; c < n; c++) {
      const v = values[c];
      const look = cellFills !== undefined && cellFills[c] !== undefined ? this.look(cellFills[c], bold) : base;
      if (v === null || v === undefined || v === '') {
        const s = look.attr[c]!;
        if (s !== '') {
          x += '<c r="' + this.letters[c]! + r + '"' + s + '/>';
          gap = false;
        } else gap = true;
        continue;
      }
      const at = gap ? '<c r="' + this.letters[c]! + r + '"' : '';
      gap = false;
      let kind = this.kinds[c]!;
      if (kind === K_AUTO) kind = typeof v === 'number' ? K_NUMBER : typeof v === 'boolean' ? K_BOOL : v instanceof Date ? K_AUTO_DATE : K_STRING;
      switch (kind) {
        case K_NUMBER:
          if (typeof v === 'number' && Number.isFinite(v)) {
            x += (at ? at + look.numTail[c]! : look.num[c]!) + numberText(v) + '</v></c>';
            continue;
          }
          break;
        case K_BOOL:
          if (typeof v === 'boolean') {
            x += (at ? at + look.boolTail[c]! : look.bool[c]!) + (v ? '1' : '0') + '</v></c>';
            continue;
          }
          break;
        case K_DATE: {
          const serial = dateSerial(v);
          if (serial !== null) {
            x += (at ? at + look.numTail[c]! : look.num[c]!) + numberText(serial) + '</v></c>';
            continue;
          }
          break;
        }
        case K_AUTO_DATE: {
          const serial = dateSerial(v);
          x += serial === null ? (at ? at + look.strTail[c]! : look.str[c]!) + '></t></is></c>' : `${at || '<c'}${this.attrsForDate(fill)}><v>${numberText(serial)}</v></c>`;
          continue;
        }
      }
      x += (at ? at + look.strTail[c]! : look.str[c]!) + textBody(textOf(v)) + '</t></is></c>';
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
