import type { DiffSummary } from '../contracts/jobs.js';
import { createCellComparer, createKeyCanonicaliser } from './cell-compare.js';
import { summariseColumns } from './column-summary.js';
import { planColumns } from './diff-columns.js';
import { changeArray, type CellChange, type DiffResult, type DiffSpec, type RowChange } from './diff-result.js';
import { RenameScorer } from './rename-scorer.js';
import type { CellValue, Table } from './table.js';

const NO_CELLS: CellChange[] = Object.freeze([]) as unknown as CellChange[];
// Separates the parts of a composite key; a control character no real key contains.
const KEY_SEP = '\u0000\u0001';

function keysOf(t: Table, idx: readonly number[], canon: (v: CellValue) => string): string[] {
  const rows = t.rows;
  const out = new Array<string>(rows.length);
  if (idx.length === 1) {
    const c = idx[0]!;
    for (let i = 0; i < rows.length; i++) out[i] = canon(rows[i]![c] ?? null);
    return out;
  }
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    let k = canon(row[idx[0]!] ?? null);
    for (let p = 1; p < idx.length; p++) k += KEY_SEP + canon(row[idx[p]!] ?? null);
    out[i] = k;
  }
  return out;
}

/**
 * Compares two tables row by row, matching rows by key columns. Pure: no I/O, no clock.
 *
 * Rows whose key occurs more than once in either file are reported as `duplicate` rows (each
 * such row, from both files) and never paired; `summary.rows.duplicateKeys` counts those rows.
 * Columns are paired by planColumns (renames from the options, then headers); moved columns
 * and renames suggested from the paired rows' content (RenameScorer) go into the summary.
 * Key cells are matched on a canonical form (see createKeyCanonicaliser) after the text options
 * (trim, whitespace, case). Cells of the columns present in both files are compared with the
 * typed comparison of createCellComparer. Ordering rules of `changes`: see {@link DiffResult}.
 *
 * @throws AppError `key_column_not_found` (see planColumns).
 */
export function diffTables(oldT: Table, newT: Table, spec: DiffSpec): DiffResult {
  const o = spec.options;
  const canon = createKeyCanonicaliser(o);
  const plan = planColumns(oldT, newT, spec.key, o, canon);
  const { columns, keyCount } = plan;
  const eq = createCellComparer(o);
  const renames = RenameScorer.create(columns, canon);

  const keyCols = columns.slice(0, keyCount);
  const oldKeys = keysOf(oldT, keyCols.map((c) => c.oldIndex), canon);
  const newKeys = keysOf(newT, keyCols.map((c) => c.newIndex), canon);

  const oldPos = new Map<string, number>();
  const dup = new Set<string>();
  for (let i = 0; i < oldKeys.length; i++) {
    const k = oldKeys[i]!;
    if (oldPos.has(k)) dup.add(k);
    else oldPos.set(k, i);
  }
  const newSeen = new Set<string>();
  for (const k of newKeys) {
    if (newSeen.has(k)) dup.add(k);
    else newSeen.add(k);
  }

  // First pass: which old row each new row pairs with, so the ordering pass below knows which
  // old rows are removed before it reaches them.
  const pairOf = new Int32Array(newKeys.length).fill(-1);
  const paired = new Uint8Array(oldKeys.length);
  for (let j = 0; j < newKeys.length; j++) {
    const k = newKeys[j]!;
    if (dup.has(k)) continue;
    const i = oldPos.get(k);
    if (i !== undefined) {
      pairOf[j] = i;
      paired[i] = 1;
    }
  }

  const cmpCols: number[] = [];
  columns.forEach((c, i) => {
    if (c.status === 'compared') cmpCols.push(i);
  });
  const cmpOld = cmpCols.map((i) => columns[i]!.oldIndex);
  const cmpNew = cmpCols.map((i) => columns[i]!.newIndex);
  const byColumn = new Array<number>(columns.length).fill(0);

  const oldRows = oldT.rows;
  const newRows = newT.rows;
  const oldNum = (i: number): number => oldT.rowNumbers?.[i] ?? i + 2;
  const newNum = (j: number): number => newT.rowNumbers?.[j] ?? j + 2;
  const changes: RowChange[] = [];
  const counts = { added: 0, removed: 0, changed: 0, unchanged: 0, duplicateKeys: 0 };
  let changedCells = 0;
  let p = 0;
  const flushOld = (upTo: number): void => {
    for (; p < upTo; p++) {
      if (paired[p]) continue;
      const type = dup.has(oldKeys[p]!) ? 'duplicate' : 'removed';
      if (type === 'duplicate') counts.duplicateKeys++;
      else counts.removed++;
      changes.push({ type, oldCells: oldRows[p]!, newCells: null, oldRowNumber: oldNum(p), newRowNumber: -1, cells: NO_CELLS });
    }
  };

  // Old index of the next paired new row at or after j (old length when none), so removed rows
  // are emitted before the added rows that took their place, as a text diff does.
  const nextPaired = new Int32Array(newRows.length);
  for (let j = newRows.length - 1, next = oldRows.length; j >= 0; j--) {
    if (pairOf[j]! >= 0) next = pairOf[j]!;
    nextPaired[j] = next;
  }
  for (let j = 0; j < newRows.length; j++) {
    const i = pairOf[j]!;
    if (i < 0) {
      flushOld(nextPaired[j]!);
      const type = dup.has(newKeys[j]!) ? 'duplicate' : 'added';
      if (type === 'duplicate') counts.duplicateKeys++;
      else counts.added++;
      changes.push({ type, oldCells: null, newCells: newRows[j]!, oldRowNumber: -1, newRowNumber: newNum(j), cells: NO_CELLS });
      continue;
    }
    if (i >= p) {
      flushOld(i);
      p = i + 1;
    }
    const a = oldRows[i]!;
    const b = newRows[j]!;
    renames?.add(a, b);
    let cells: CellChange[] | undefined;
    for (let c = 0; c < cmpCols.length; c++) {
      const va = a[cmpOld[c]!] ?? null;
      const vb = b[cmpNew[c]!] ?? null;
      if (eq(va, vb)) continue;
      const col = cmpCols[c]!;
      (cells ??= []).push({ column: col, old: va, new: vb });
      byColumn[col]!++;
    }
    if (cells) {
      counts.changed++;
      changedCells += cells.length;
      changes.push({ type: 'changed', oldCells: a, newCells: b, oldRowNumber: oldNum(i), newRowNumber: newNum(j), cells });
    } else counts.unchanged++;
  }
  flushOld(oldRows.length);

  const summary: DiffSummary = {
    rows: counts,
    changedCells,
    columns: summariseColumns(plan, byColumn, renames?.suggestions() ?? []),
    key: keyCols.map((c) => c.name),
    sheets: { old: oldT.sheetName, new: newT.sheetName },
    headerRows: { old: oldT.headerRow ?? 1, new: newT.headerRow ?? 1 },
    rowCounts: { old: oldRows.length, new: newRows.length },
  };
  return { summary, columns, changes: changeArray(changes) };
}
