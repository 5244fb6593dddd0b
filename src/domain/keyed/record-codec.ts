import type { CellValue } from '../table.js';

/**
 * Turns the row bytes a reader stored into cells. The engine keeps rows as bytes and decodes
 * only the rows it must show or compare cell by cell.
 */
export interface RecordCodec {
  /** Cells of the row `buf[s, e)`, exactly `width` of them (missing cells are null). */
  decode(buf: Uint8Array, s: number, e: number, width: number): CellValue[];
}

const US = 0x1f; // between cells
const ESC = 0x1e; // escapes a US or ESC inside text
const TAG_STR = 0x73; // 's'
const TAG_NUM = 0x6e; // 'n'
const TAG_TRUE = 0x74; // 't'
const TAG_FALSE = 0x66; // 'f'
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Encodes typed cells as bytes for the engine: cells joined by U+001F, each a tag (`s` text,
 * `n` number, `t`/`f` boolean, nothing for empty) and its text; U+001E escapes U+001E/U+001F
 * inside text. Lossless for every CellValue, and equal cells give equal bytes.
 */
export function encodeCells(cells: readonly CellValue[], width: number): Uint8Array {
  return encoder.encode(encodeCellsText(cells, width));
}

/** The text {@link encodeCells} encodes as UTF-8 (for callers that write into their own buffer). */
export function encodeCellsText(cells: readonly CellValue[], width: number): string {
  let s = '';
  for (let i = 0; i < width; i++) {
    if (i > 0) s += '\u001f';
    const v = cells[i];
    if (v === null || v === undefined) continue;
    if (typeof v === 'string') s += 's' + (/[\u001e\u001f]/.test(v) ? v.replace(/[\u001e\u001f]/g, '\u001e$&') : v);
    else if (typeof v === 'number') s += 'n' + String(v);
    else s += v ? 't' : 'f';
  }
  return s;
}

/** The cell one encoded cell's text (its tag and value, escapes included) stands for. */
export function decodeCell(text: string): CellValue {
  if (text.length === 0) return null;
  const tag = text.charCodeAt(0);
  if (tag === TAG_NUM) return Number(text.slice(1));
  if (tag === TAG_TRUE) return true;
  if (tag === TAG_FALSE) return false;
  const v = text.slice(1);
  return v.includes('\u001e') ? v.replace(/\u001e([\u001e\u001f])/g, '$1') : v;
}

/** Codec of {@link encodeCells}. */
export const CELL_CODEC: RecordCodec = {
  decode(buf, s, e, width) {
    const out = new Array<CellValue>(width).fill(null);
    const text = decoder.decode(buf.subarray(s, e));
    if (!text.includes('\u001e')) {
      const parts = text.split('\u001f');
      for (let i = 0; i < width && i < parts.length; i++) out[i] = decodeCell(parts[i]!);
      return out;
    }
    // escaped separators: walk the text
    let col = 0;
    let cur = '';
    for (let i = 0; i <= text.length && col < width; i++) {
      const c = i < text.length ? text.charCodeAt(i) : US;
      if (c === ESC && i + 1 < text.length) {
        cur += text[++i];
      } else if (c === US) {
        out[col++] = cur.length === 0 ? null : cur.charCodeAt(0) === TAG_STR ? cur.slice(1) : decodeCell(cur);
        cur = '';
      } else cur += text[i];
    }
    return out;
  },
};
