import type { MovedColumn, RenamedColumn } from '../contracts/jobs.js';
import { ERRORS } from '../errors/index.js';
import { findMovedColumns } from './column-moves.js';
import type { DiffColumn } from './diff-result.js';
import { columnIndex, normaliseHeader, type CellValue, type Table } from './table.js';

/** Output columns of a diff plus the positions the engine needs, resolved once per file pair. */
export interface ColumnPlan {
  columns: DiffColumn[];
  /** Number of key columns (they open `columns`). */
  keyCount: number;
  /** Common columns whose order changed (see findMovedColumns). */
  moved: MovedColumn[];
  /** Renames applied from the options, in new-file order. */
  renamed: RenamedColumn[];
}

/** The options that shape the column plan. */
export interface ColumnOptions {
  ignoreColumns: readonly string[];
  /** Old header → new header: the two are one column (see CompareOptions.renames). */
  renames?: Readonly<Record<string, string>> | undefined;
}

function headerMap(header: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  header.forEach((h, i) => {
    const n = normaliseHeader(h);
    if (!m.has(n)) m.set(n, i);
  });
  return m;
}

/** Index of a header name (trimmed, case-insensitive), else of column letters; -1 when none. */
function indexIn(header: readonly string[], map: Map<string, number>, ref: string): number {
  const i = map.get(normaliseHeader(ref));
  if (i !== undefined) return i;
  const l = columnIndex(ref);
  return l >= 0 && l < header.length ? l : -1;
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
 * Pairs the columns of two headers: explicit renames first, then equal normalised headers
 * (Map lookups, O(columns)). Returns, per new column, its old counterpart or -1.
 *
 * @throws AppError `column_not_found` for a rename naming a column its file lacks (details
 *   list that file's headers), `validation_failed` for two renames of one column.
 */
function pairColumns(oldH: readonly string[], newH: readonly string[], oldMap: Map<string, number>, newMap: Map<string, number>, renames: Readonly<Record<string, string>>) {
  const oldOf = new Int32Array(newH.length).fill(-1);
  const newOf = new Int32Array(oldH.length).fill(-1);
  for (const [from, to] of Object.entries(renames)) {
    const o = indexIn(oldH, oldMap, from);
    const n = indexIn(newH, newMap, to);
    if (o < 0 || n < 0) {
      const [ref, side, available] = o < 0 ? [from, 'old', oldH] : [to, 'new', newH];
      throw ERRORS.columnNotFound(`Renamed column "${ref}" is not in the ${side} file; its columns: ${available.join(', ')}`, {
        column: ref,
        side,
        available: [...available],
      });
    }
    if (newOf[o] !== -1 || oldOf[n] !== -1) {
      throw ERRORS.validation(`renames: "${oldH[o]}" → "${newH[n]}" names a column another rename already uses`, { column: from });
    }
    oldOf[n] = o;
    newOf[o] = n;
  }
  const renamedOld = new Uint8Array(oldH.length);
  for (let o = 0; o < oldH.length; o++) if (newOf[o]! >= 0) renamedOld[o] = 1;
  newH.forEach((h, n) => {
    if (oldOf[n]! >= 0 || newMap.get(normaliseHeader(h)) !== n) return;
    const o = oldMap.get(normaliseHeader(h));
    if (o === undefined || newOf[o]! >= 0 || renamedOld[o]) return;
    oldOf[n] = o;
    newOf[o] = n;
  });
  return { oldOf, newOf };
}

/**
 * Plans the diff's columns: pairs the columns of both files (renames from the options, then
 * normalised headers), resolves the key and ignored columns, and finds the moved columns.
 * Runs once per file pair, never per row.
 *
 * A column reference (key, ignored) is a header name first (trimmed, case-insensitive; the new
 * name or the old name of a renamed column), else column letters, which name the column at
 * that position in the old file (the new file's when the old one is narrower). A header
 * literally called `A` wins over the letter.
 *
 * Key choice when `key` is empty: the first column of the new file, present in both files and
 * not ignored, whose values are non-empty and unique in both files; if none is, the caller must
 * name one (`key_column_not_found`). Key columns are never ignored. With `keyless`, an empty
 * `key` stays empty (rows are aligned as a sequence instead).
 *
 * @throws AppError `key_column_not_found` for an unknown key reference (details list the
 *   available headers), a key column missing from one file, or no usable key column;
 *   `column_not_found` for a rename naming a missing column.
 */
export function planColumns(
  oldT: Table,
  newT: Table,
  key: readonly string[],
  opts: ColumnOptions,
  canon: (v: CellValue) => string,
  keyless = false,
): ColumnPlan {
  const oldH = oldT.header;
  const newH = newT.header;
  const oldMap = headerMap(oldH);
  const newMap = headerMap(newH);
  const available = [...new Set([...newH, ...oldH])];
  const { oldOf, newOf } = pairColumns(oldH, newH, oldMap, newMap, opts.renames ?? {});

  // a reference → [old index, new index] of the column it names (-1 where a file lacks it)
  const resolve = (ref: string): [number, number] | undefined => {
    const n = normaliseHeader(ref);
    const ni = newMap.get(n);
    if (ni !== undefined) return [oldOf[ni]!, ni];
    const oi = oldMap.get(n);
    if (oi !== undefined) return [oi, newOf[oi]!];
    const idx = columnIndex(ref);
    if (idx < 0) return undefined;
    if (idx < oldH.length) return [idx, newOf[idx]!];
    if (idx < newH.length) return [oldOf[idx]!, idx];
    return undefined;
  };

  const ignoredOld = new Uint8Array(oldH.length);
  const ignoredNew = new Uint8Array(newH.length);
  for (const ref of opts.ignoreColumns) {
    const r = resolve(ref);
    if (!r) continue;
    if (r[0] >= 0) ignoredOld[r[0]] = 1;
    if (r[1] >= 0) ignoredNew[r[1]] = 1;
  }

  const keyNew: number[] = [];
  for (const ref of key) {
    if (ref.trim() === '') continue;
    const r = resolve(ref);
    if (!r) {
      throw ERRORS.keyNotFound(`Key column "${ref}" was not found; available columns: ${available.join(', ')}`, {
        column: ref,
        available,
      });
    }
    if (r[0] < 0 || r[1] < 0) {
      throw ERRORS.keyNotFound(`Key column "${ref}" is missing from the ${r[0] >= 0 ? 'new' : 'old'} file`, {
        column: ref,
        available,
      });
    }
    if (!keyNew.includes(r[1])) keyNew.push(r[1]);
  }
  if (keyNew.length === 0 && !keyless) {
    for (let n = 0; n < newH.length; n++) {
      const o = oldOf[n]!;
      if (o < 0 || ignoredNew[n] || ignoredOld[o]) continue;
      if (isUniqueAndComplete(newT, n, canon) && isUniqueAndComplete(oldT, o, canon)) {
        keyNew.push(n);
        break;
      }
    }
    if (keyNew.length === 0) {
      throw ERRORS.keyNotFound('No key given and no column is unique and complete in both files; choose key columns', {
        available,
      });
    }
  }

  const column = (status: DiffColumn['status'], oldIndex: number, newIndex: number): DiffColumn => {
    const c: DiffColumn = { name: newIndex >= 0 ? newH[newIndex]! : oldH[oldIndex]!, status, oldIndex, newIndex };
    if (oldIndex >= 0 && newIndex >= 0 && normaliseHeader(oldH[oldIndex]!) !== normaliseHeader(newH[newIndex]!)) c.renamedFrom = oldH[oldIndex]!;
    return c;
  };
  const columns: DiffColumn[] = keyNew.map((n) => column('key', oldOf[n]!, n));
  const isKey = new Uint8Array(newH.length);
  for (const n of keyNew) isKey[n] = 1;
  for (let n = 0; n < newH.length; n++) {
    const o = oldOf[n]!;
    if (isKey[n] || ignoredNew[n] || (o >= 0 && ignoredOld[o])) continue;
    columns.push(column(o >= 0 ? 'compared' : 'added', o, n));
  }
  for (let o = 0; o < oldH.length; o++) {
    if (newOf[o]! >= 0 || ignoredOld[o]) continue;
    columns.push(column('removed', o, -1));
  }
  const renamed: RenamedColumn[] = [];
  for (const c of columns) if (c.renamedFrom !== undefined) renamed.push({ old: c.renamedFrom, new: c.name });
  return { columns, keyCount: keyNew.length, moved: findMovedColumns(columns, newH), renamed };
}

/**
 * Indexes of key columns in one file's header: each reference names a header (trimmed,
 * case-insensitive) or gives column letters. Used to read keys while a file streams, before
 * the other file's header is known; planColumns later checks both files agree. For the old
 * file pass `renames`, so a key named by its new name is found under its old one.
 *
 * @throws AppError `key_column_not_found` listing the available headers.
 */
export function resolveKeyColumns(header: readonly string[], key: readonly string[], renames?: Readonly<Record<string, string>>): number[] {
  const map = headerMap(header);
  const out: number[] = [];
  for (const ref of key) {
    if (ref.trim() === '') continue;
    let i = indexIn(header, map, ref);
    if (i < 0 && renames) {
      const n = normaliseHeader(ref);
      const from = Object.keys(renames).find((k) => normaliseHeader(renames[k]!) === n);
      if (from !== undefined) i = indexIn(header, map, from);
    }
    if (i < 0) {
      throw ERRORS.keyNotFound(`Key column "${ref}" was not found; available columns: ${header.join(', ')}`, {
        column: ref,
        available: [...header],
      });
    }
    if (!out.includes(i)) out.push(i);
  }
  return out;
}
