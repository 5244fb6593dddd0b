import type { CellCompareOptions } from '../../domain/cell-compare.js';
import { createKeyCanonicaliser } from '../../domain/cell-compare.js';
import type { CellValue } from '../../domain/table.js';

const KEY_SEP = '\u0000\u0001';

/** Turns key cells into the canonical key bytes the engine matches on. */
export interface KeyEncoder {
  /** Canonical bytes of the key cells at the key columns of `cells` (valid until the next call). */
  fromCells(cells: readonly CellValue[], idx: readonly number[]): Buffer;
  /**
   * True when the raw text bytes `buf[s, e)` of a single key cell already are its canonical
   * form, so they can be matched without decoding (plain text, or a short integer without a
   * leading zero, and no text options).
   */
  rawIsCanonical(buf: Uint8Array, s: number, e: number): boolean;
}

/** A KeyEncoder for the compare options (see createKeyCanonicaliser). */
export function createKeyEncoder(o: CellCompareOptions): KeyEncoder {
  const canon = createKeyCanonicaliser(o);
  const plain = !o.trim && !o.collapseWhitespace && !o.ignoreCase;
  let scratch = Buffer.allocUnsafe(4096);
  return {
    fromCells(cells, idx) {
      let k = canon(cells[idx[0]!] ?? null);
      for (let p = 1; p < idx.length; p++) k += KEY_SEP + canon(cells[idx[p]!] ?? null);
      if (k.length * 3 > scratch.length) scratch = Buffer.allocUnsafe(k.length * 3);
      return scratch.subarray(0, scratch.write(k, 0));
    },
    rawIsCanonical(buf, s, e) {
      if (!plain) return false;
      const n = e - s;
      if (n === 0) return true;
      let digits = true;
      let numberish = true;
      for (let i = s; i < e; i++) {
        const c = buf[i]!;
        if (c >= 48 && c <= 57) continue;
        digits = false;
        // characters a decimal literal can hold: + - . e E
        if (c !== 43 && c !== 45 && c !== 46 && c !== 69 && c !== 101) {
          numberish = false;
          break;
        }
      }
      if (digits) return n <= 15 && (n === 1 || buf[s] !== 48);
      if (numberish) return false;
      // true/false in any case become TRUE/FALSE
      const f = buf[s]! | 0x20;
      return !((n === 4 && f === 0x74) || (n === 5 && f === 0x66));
    },
  };
}
