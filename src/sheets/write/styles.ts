import { xmlText } from './xml-text.js';

/** Named fills (the diff's colours) or any `#RRGGBB`. */
export type Fill = 'green' | 'red' | 'yellow' | 'orange' | 'grey' | 'blue' | `#${string}`;

const NAMED_FILLS: Record<string, string> = {
  green: 'C6EFCE',
  red: 'FFC7CE',
  yellow: 'FFEB9C',
  orange: 'FCE4D6',
  grey: 'D9D9D9',
  blue: 'DDEBF7',
};

/** Look of a cell: number format, fill, bold font. */
export interface CellStyle {
  numFmt?: string | undefined;
  fill?: Fill | undefined;
  bold?: boolean | undefined;
}

// Formats Excel knows by id (ECMA-376 18.8.30); the rest get custom ids from 164.
const BUILTIN_FORMATS: Record<string, number> = {
  General: 0,
  '0': 1,
  '0.00': 2,
  '#,##0': 3,
  '#,##0.00': 4,
  '0%': 9,
  '0.00%': 10,
  '@': 49,
};

function rgbOf(fill: Fill): string {
  const named = NAMED_FILLS[fill];
  if (named) return named;
  if (/^#[0-9A-Fa-f]{6}$/.test(fill)) return fill.slice(1).toUpperCase();
  throw new RangeError(`invalid fill ${JSON.stringify(fill)}: use a named fill or #RRGGBB`);
}

/**
 * Collects the styles a workbook uses and numbers them (cellXfs indexes) as they are asked for,
 * so styles.xml can be written once every sheet is done and holds only what is used.
 */
export class StyleRegistry {
  private readonly formats = new Map<string, number>();
  private readonly fills = new Map<string, number>();
  private readonly xfs = new Map<string, number>();
  private readonly xfList: string[] = ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'];

  constructor() {
    this.xfs.set('0|0|0', 0);
  }

  /** The cellXfs index of a style; 0 is the default look. */
  id(style: CellStyle): number {
    const fmt = this.formatId(style.numFmt);
    const fill = style.fill ? this.fillId(style.fill) : 0;
    const font = style.bold ? 1 : 0;
    const key = `${fmt}|${fill}|${font}`;
    let id = this.xfs.get(key);
    if (id === undefined) {
      id = this.xfList.length;
      this.xfs.set(key, id);
      const apply = `${fmt ? ' applyNumberFormat="1"' : ''}${fill ? ' applyFill="1"' : ''}${font ? ' applyFont="1"' : ''}`;
      this.xfList.push(`<xf numFmtId="${fmt}" fontId="${font}" fillId="${fill}" borderId="0" xfId="0"${apply}/>`);
    }
    return id;
  }

  private formatId(code: string | undefined): number {
    if (!code) return 0;
    const builtin = BUILTIN_FORMATS[code];
    if (builtin !== undefined) return builtin;
    let id = this.formats.get(code);
    if (id === undefined) {
      id = 164 + this.formats.size;
      this.formats.set(code, id);
    }
    return id;
  }

  private fillId(fill: Fill): number {
    const rgb = rgbOf(fill);
    let id = this.fills.get(rgb);
    if (id === undefined) {
      id = 2 + this.fills.size; // 0 and 1 are reserved (none, gray125)
      this.fills.set(rgb, id);
    }
    return id;
  }

  /** styles.xml for everything asked for so far. */
  xml(): string {
    let numFmts = '';
    for (const [code, id] of this.formats) numFmts += `<numFmt numFmtId="${id}" formatCode="${xmlText(code)}"/>`;
    let fills = '<fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>';
    for (const rgb of this.fills.keys()) {
      fills += `<fill><patternFill patternType="solid"><fgColor rgb="FF${rgb}"/><bgColor indexed="64"/></patternFill></fill>`;
    }
    return (
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
      '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
      (numFmts ? `<numFmts count="${this.formats.size}">${numFmts}</numFmts>` : '') +
      '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>' +
      '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>' +
      `<fills count="${2 + this.fills.size}">${fills}</fills>` +
      '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
      '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
      `<cellXfs count="${this.xfList.length}">${this.xfList.join('')}</cellXfs>` +
      '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
      '</styleSheet>'
    );
  }
}
