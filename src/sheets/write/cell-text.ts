import type { CellValue } from '../../domain/table.js';

/** The text of a cell for CSV, JSON-free display and "new ← old" notes (`TRUE`/`FALSE` as Excel shows them). */
export function cellText(v: CellValue): string {
  if (v === null) return '';
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  return String(v);
}

/** Key cells as one text: the value, or the values joined by ` | ` for a composite key. */
export function keyText(values: readonly CellValue[]): string {
  return values.length === 1 ? cellText(values[0] ?? null) : values.map(cellText).join(' | ');
}
