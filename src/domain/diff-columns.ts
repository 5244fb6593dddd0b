import { ERRORS } from '../errors/index.js';
import type { DiffColumn } from './diff-result.js';
import { columnIndex, normaliseHeader, type CellValue, type Table } from './table.js';

/** Output columns of a diff plus the positions the engine needs, resolved once. */
export interface ColumnPlan {
  columns: DiffColumn[];
  /** Number of key columns (they open `columns`). */
  keyCount: number;
}

function headerMap(t: Table): Map<string, number> {
  const m = new Map<string, number>();
  t.header.forEach((h, i) => {
    const n = normaliseHeader(h);
    if (!m.has(n)) m.set(n, i);
  });
  return m;
}

/**
 * Resolves a column reference to its normalised header name: a header name first (trimmed,
 * case-insensitive), else column letters, which name the column at that position in the old
 * file (the new file's when the old one is narrower). A header literally called `A` wins over
 * the letter. Returns undefined when nothing matches.
 */
function resolveRef(ref: string, oldT: Table, newT: Table, oldMap: Map<string, number>, newMap: Map<string, number>): string | undefined {
  const n = normaliseHeader(ref);
  if (oldMap.has(n) || newMap.has(n)) return n;
  const idx = columnIndex(ref);
  if (idx < 0) return undefined;
  const h = oldT.header[idx] ?? newT.header[idx];
  return h === undefined ? undefined : normaliseHeader(h);
}

function isUniqueAndComplete(t: Table, col: number, canon: (v: CellValue) => string): boolean {
  const seen = new Set<string>();
  for (const row of t.rows) {
    const k = canon(row[col] ?? null);
    if (k === '' || seen.has(k)) return false;
    seen.add(k);
  }
  return true;
}

/**
 * Plans the diff's columns: resolves the key and ignored columns, then matches the remaining
 * columns by normalised header (Map lookups, O(columns)).
 *
 * Key choice when `key` is empty: the first column of the new file, present in both files and
 * not ignored, whose values are non-empty and unique in both files; if none is, the caller must
 * name one (`key_column_not_found`). Key columns are never ignored.
 *
 * With `keyless`, an empty `key` stays empty (rows are aligned as a sequence instead).
 *
 * @throws AppError `key_column_not_found` for an unknown key reference (details list the
 *   available headers), a key column missing from one file, or no usable key column.
 */
export function planColumns(
  oldT: Table,
  newT: Table,
  key: readonly string[],
  ignoreColumns: readonly string[],
  canon: (v: CellValue) => string,
  keyless = false,
): ColumnPlan {
  const oldMap = headerMap(oldT);
  const newMap = headerMap(newT);
  const available = [...new Set([...newT.header, ...oldT.header])];

  const ignored = new Set<string>();
  for (const ref of ignoreColumns) {
    const n = resolveRef(ref, oldT, newT, oldMap, newMap);
    if (n !== undefined) ignored.add(n);
  }

  const keyNames: string[] = [];
  for (const ref of key) {
    if (ref.trim() === '') continue;
    const n = resolveRef(ref, oldT, newT, oldMap, newMap);
    if (n === undefined) {
      throw ERRORS.keyNotFound(`Key column "${ref}" was not found; available columns: ${available.join(', ')}`, {
        column: ref,
        available,
      });
    }
    const inOld = oldMap.has(n);
    if (!inOld || !newMap.has(n)) {
      throw ERRORS.keyNotFound(`Key column "${ref}" is missing from the ${inOld ? 'new' : 'old'} file`, {
        column: ref,
        available,
      });
    }
    if (!keyNames.includes(n)) keyNames.push(n);
  }
  if (keyNames.length === 0 && !keyless) {
    for (const h of newT.header) {
      const n = normaliseHeader(h);
      const o = oldMap.get(n);
      if (o === undefined || ignored.has(n)) continue;
      if (isUniqueAndComplete(newT, newMap.get(n)!, canon) && isUniqueAndComplete(oldT, o, canon)) {
        keyNames.push(n);
        break;
      }
    }
    if (keyNames.length === 0) {
      throw ERRORS.keyNotFound('No key given and no column is unique and complete in both files; choose key columns', {
        available,
      });
    }
  }

  const columns: DiffColumn[] = [];
  const keySet = new Set(keyNames);
  for (const n of keyNames) {
    const newIndex = newMap.get(n)!;
    columns.push({ name: newT.header[newIndex]!, status: 'key', oldIndex: oldMap.get(n)!, newIndex });
  }
  newT.header.forEach((h, newIndex) => {
    const n = normaliseHeader(h);
    if (keySet.has(n) || ignored.has(n) || newMap.get(n) !== newIndex) return;
    const oldIndex = oldMap.get(n) ?? -1;
    columns.push({ name: h, status: oldIndex >= 0 ? 'compared' : 'added', oldIndex, newIndex });
  });
  oldT.header.forEach((h, oldIndex) => {
    const n = normaliseHeader(h);
    if (newMap.has(n) || ignored.has(n) || oldMap.get(n) !== oldIndex) return;
    columns.push({ name: h, status: 'removed', oldIndex, newIndex: -1 });
  });
  return { columns, keyCount: keyNames.length };
}

/**
 * Indexes of key columns in one file's header: each reference names a header (trimmed,
 * case-insensitive) or gives column letters. Used to read keys while a file streams, before
 * the other file's header is known; planColumns later checks both files agree.
 *
 * @throws AppError `key_column_not_found` listing the available headers.
 */
export function resolveKeyColumns(header: readonly string[], key: readonly string[]): number[] {
  const map = new Map<string, number>();
  header.forEach((h, i) => {
    const n = normaliseHeader(h);
    if (!map.has(n)) map.set(n, i);
  });
  const out: number[] = [];
  for (const ref of key) {
    if (ref.trim() === '') continue;
    let i = map.get(normaliseHeader(ref));
    if (i === undefined) {
      const l = columnIndex(ref);
      if (l >= 0 && l < header.length) i = l;
    }
    if (i === undefined) {
      throw ERRORS.keyNotFound(`Key column "${ref}" was not found; available columns: ${header.join(', ')}`, {
        column: ref,
        available: [...header],
      });
    }
    if (!out.includes(i)) out.push(i);
  }
  return out;
}
