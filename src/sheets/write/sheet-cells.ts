import { columnLetter, type CellValue } from '../../domain/table.js';
import { xmlText } from './xml-text.js';

// Excel refuses a cell with more characters than this.
const MAX_CELL_CHARS = 32_767;

/** Column letters for indexes 0..n-1, computed once per sheet instead of once per cell. */
export function columnLetters(n: number): string[] {
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) out[i] = columnLetter(i);
  return out;
}

/**
 * One `<c>` element. Strings are always inline strings (`t="inlineStr"`), never formulas, so
 * text such as `=HYPERLINK(...)` stays text in Excel; numbers are numeric cells, booleans
 * boolean cells, null an empty styled cell (or nothing when unstyled).
 */
export function cellXml(ref: string, v: CellValue, style: number): string {
  const s = style ? ` s="${style}"` : '';
  if (v === null) return style ? `<c r="${ref}"${s}/>` : '';
  if (typeof v === 'number') {
    if (Number.isFinite(v)) return `<c r="${ref}"${s}><v>${v}</v></c>`;
    return stringCell(ref, s, String(v));
  }
  if (typeof v === 'boolean') return `<c r="${ref}"${s} t="b"><v>${v ? 1 : 0}</v></c>`;
  return stringCell(ref, s, v);
}

function stringCell(ref: string, s: string, text: string): string {
  const t = xmlText(text.length > MAX_CELL_CHARS ? text.slice(0, MAX_CELL_CHARS) : text);
  const space = t.length > 0 && (t.charCodeAt(0) <= 32 || t.charCodeAt(t.length - 1) <= 32) ? ' xml:space="preserve"' : '';
  return `<c r="${ref}"${s} t="inlineStr"><is><t${space}>${t}</t></is></c>`;
}
