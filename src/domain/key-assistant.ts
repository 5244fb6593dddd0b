import type { ColumnProfile, DuplicateGroup, KeyReport } from '../contracts/inspect.js';
import type { CompareOptions } from '../contracts/jobs.js';
import { createKeyCanonicaliser } from './cell-compare.js';
import { resolveKeyColumns } from './diff-columns.js';
import { columnLetter, normaliseHeader, type CellValue, type Table } from './table.js';

export type { ColumnProfile, DuplicateGroup, KeyReport } from '../contracts/inspect.js';

const SEP = '\u0000\u0001';
const MAX_PAIR_COLUMNS = 12;

function keyOf(row: readonly CellValue[], idx: readonly number[], canon: (v: CellValue) => string): string {
  let k = canon(row[idx[0]!] ?? null);
  for (let p = 1; p < idx.length; p++) k += SEP + canon(row[idx[p]!] ?? null);
  return k;
}

function uniqueComplete(t: Table, idx: readonly number[], canon: (v: CellValue) => string): boolean {
  const seen = new Set<string>();
  for (const row of t.rows) {
    let empty = true;
    for (const i of idx) if (canon(row[i] ?? null) !== '') empty = false;
    if (empty) return false;
    const k = keyOf(row, idx, canon);
    if (seen.has(k)) return false;
    seen.add(k);
  }
  return true;
}

function profile(t: Table, canon: (v: CellValue) => string): ColumnProfile[] {
  return t.header.map((name, c) => {
    const seen = new Set<string>();
    let empty = 0;
    for (const row of t.rows) {
      const k = canon(row[c] ?? null);
      if (k === '') empty++;
      else seen.add(k);
    }
    const filled = t.rows.length - empty;
    return {
      name,
      letter: columnLetter(c),
      completeness: t.rows.length ? filled / t.rows.length : 0,
      uniqueness: filled ? seen.size / filled : 0,
      distinct: seen.size,
      empty,
    };
  });
}

function duplicateGroups(t: Table, idx: readonly number[], canon: (v: CellValue) => string): DuplicateGroup[] {
  const groups = new Map<string, DuplicateGroup>();
  t.rows.forEach((row, r) => {
    const k = keyOf(row, idx, canon);
    const n = t.rowNumbers?.[r] ?? r + 2;
    const g = groups.get(k);
    if (!g) groups.set(k, { key: idx.map((i) => row[i] ?? null), rows: [n], count: 1 });
    else {
      g.count++;
      if (g.rows.length < 10) g.rows.push(n);
    }
  });
  return [...groups.values()].filter((g) => g.count > 1).sort((a, b) => b.count - a.count).slice(0, 20);
}

/**
 * The key assistant: per column uniqueness and completeness, candidate keys (columns, then
 * pairs of the first columns, unique and complete in every file and present in all), and the
 * duplicate groups of the key asked for, else of the most unique column that has repeats; per file
 * the sheet read, the workbook's sheets and the header row (chosen or detected). Pure.
 */
export function inspectKeys(tables: readonly Table[], opts: { key?: string[]; options: Pick<CompareOptions, 'trim' | 'collapseWhitespace' | 'ignoreCase' | 'numericTolerance' | 'emptyEqualsMissing'> }): KeyReport {
  const canon = createKeyCanonicaliser(opts.options);
  const profiles = tables.map((t) => profile(t, canon));
  // columns every file has, by normalised header, in the first file's order
  const common = tables[0]!.header.filter((h) => tables.every((t) => t.header.some((x) => normaliseHeader(x) === normaliseHeader(h))));
  const indexIn = (t: Table, h: string): number => t.header.findIndex((x) => normaliseHeader(x) === normaliseHeader(h));
  const works = (names: string[]): boolean => tables.every((t) => uniqueComplete(t, names.map((h) => indexIn(t, h)), canon));
  const suggested: string[][] = common.filter((h) => works([h])).map((h) => [h]);
  if (suggested.length === 0) {
    const few = common.slice(0, MAX_PAIR_COLUMNS);
    for (let i = 0; i < few.length && suggested.length < 5; i++) {
      for (let j = i + 1; j < few.length && suggested.length < 5; j++) if (works([few[i]!, few[j]!])) suggested.push([few[i]!, few[j]!]);
    }
  }
  let dupFor = opts.key?.filter((k) => k.trim() !== '') ?? [];
  if (dupFor.length) dupFor = resolveKeyColumns(tables[0]!.header, dupFor).map((i) => tables[0]!.header[i]!);
  else {
    const best = common
      .map((h) => ({ h, u: Math.min(...tables.map((t, f) => profiles[f]![indexIn(t, h)]!.uniqueness)) }))
      .filter((c) => c.u < 1)
      .sort((a, b) => b.u - a.u)[0];
    // the near-key most likely meant as one; every row unique already when there is none
    if (best) dupFor = [best.h];
  }
  return {
    files: tables.map((t, f) => ({
      sheet: t.sheetName,
      sheets: t.sheetNames,
      headerRow: t.headerRow ?? 1,
      headerRowDetected: t.headerRowDetected ?? false,
      rows: t.rows.length,
      columns: profiles[f]!,
    })),
    suggestedKeys: suggested.slice(0, 5),
    duplicatesFor: dupFor,
    duplicates: dupFor.length ? tables.map((t) => duplicateGroups(t, resolveKeyColumns(t.header, dupFor), canon)) : tables.map(() => []),
  };
}
