import { describe, expect, it } from 'vitest';
import { createKeyCanonicaliser } from '../../../src/domain/cell-compare.js';
import { diffTables } from '../../../src/domain/diff-engine.js';
import type { DiffColumn } from '../../../src/domain/diff-result.js';
import { RenameScorer, RENAME_MAX_CANDIDATES } from '../../../src/domain/rename-scorer.js';
import type { CellValue } from '../../../src/domain/table.js';
import { options, table } from './table-helpers.js';

const canon = createKeyCanonicaliser(options());
const removed = (name: string, oldIndex: number): DiffColumn => ({ name, status: 'removed', oldIndex, newIndex: -1 });
const added = (name: string, newIndex: number): DiffColumn => ({ name, status: 'added', oldIndex: -1, newIndex });

function score(columns: DiffColumn[], pairs: [CellValue[], CellValue[]][], c = canon) {
  const s = RenameScorer.create(columns, c)!;
  for (const [a, b] of pairs) s.add(a, b);
  return s.suggestions();
}

describe('RenameScorer', () => {
  it('is not created without both a removed and an added column', () => {
    expect(RenameScorer.create([removed('a', 0)], canon)).toBeUndefined();
    expect(RenameScorer.create([added('a', 0)], canon)).toBeUndefined();
  });

  it.each<[string, [CellValue, CellValue][], { score: number; matchingRows: number; rowsWithValues: number } | undefined]>([
    ['all values equal', [['a', 'a'], ['b', 'b'], ['c', 'c']], { score: 1, matchingRows: 3, rowsWithValues: 3 }],
    ['numbers equal their text', [[7, '7.0'], [8, '8'], [9, 9]], { score: 1, matchingRows: 3, rowsWithValues: 3 }],
    ['four of five equal: 0.8 is enough', [['a', 'a'], ['b', 'b'], ['c', 'c'], ['d', 'd'], ['e', 'x']], { score: 0.8, matchingRows: 4, rowsWithValues: 5 }],
    ['three of five equal: not a rename', [['a', 'a'], ['b', 'b'], ['c', 'c'], ['d', 'y'], ['e', 'x']], undefined],
    ['empty on both sides does not count', [['a', 'a'], ['b', 'b'], [null, null], ['', null]], { score: 1, matchingRows: 2, rowsWithValues: 2 }],
    ['values dropped in the new column lower the score', [['a', 'a'], ['b', 'b'], ['c', null]], undefined],
    ['one matching row is too few', [['a', 'a']], undefined],
  ])('%s', (_name, cells, expected) => {
    const got = score([removed('old', 1), added('new', 1)], cells.map(([a, b]) => [['k', a], ['k', b]]));
    expect(got).toEqual(expected ? [{ old: 'old', new: 'new', ...expected }] : []);
  });

  it('pairs each column once, best score first', () => {
    // old x matches new p fully and new q on 4 of 5 rows; old y matches q fully
    const rows: [CellValue[], CellValue[]][] = [
      [['1', '1'], ['1', '1']],
      [['2', '2'], ['2', '2']],
      [['3', '3'], ['3', '3']],
      [['4', '4'], ['4', '4']],
      [['5', '6'], ['5', '6']],
    ];
    expect(score([removed('x', 0), removed('y', 1), added('p', 0), added('q', 1)], rows).map((s) => `${s.old}→${s.new}`)).toEqual(['x→p', 'y→q']);
  });

  it('looks values up the same way when there are many candidates', () => {
    const n = 6; // 36 pairs: past the direct comparison
    const cols = [...Array.from({ length: n }, (_, i) => removed(`o${i}`, i)), ...Array.from({ length: n }, (_, i) => added(`n${i}`, i))];
    // new column i holds old column (i + 1) % n
    const pairs = Array.from({ length: 10 }, (_, r): [CellValue[], CellValue[]] => {
      const a = Array.from({ length: n }, (_, i) => `${r}-${i}`);
      return [a, a.map((_, i) => a[(i + 1) % n]!)];
    });
    const got = score(cols, pairs);
    expect(got.map((s) => `${s.old}→${s.new}`).sort()).toEqual(Array.from({ length: n }, (_, i) => `o${(i + 1) % n}→n${i}`).sort());
    expect(got.every((s) => s.score === 1 && s.matchingRows === 10)).toBe(true);
  });

  it('follows the text options of the comparison', () => {
    const pairs: [CellValue[], CellValue[]][] = [
      [['k', 'Apple '], ['k', 'apple']],
      [['k', 'Pear'], ['k', 'pear']],
    ];
    const cols = [removed('a', 1), added('b', 1)];
    expect(score(cols, pairs)).toEqual([]);
    expect(score(cols, pairs, createKeyCanonicaliser(options({ trim: true, ignoreCase: true })))).toHaveLength(1);
  });

  it(`considers the first ${RENAME_MAX_CANDIDATES} removed and added columns`, () => {
    const cols = [...Array.from({ length: RENAME_MAX_CANDIDATES + 1 }, (_, i) => removed(`o${i}`, i)), added('n', 0)];
    const last = RENAME_MAX_CANDIDATES;
    const pairs = [1, 2, 3].map((r): [CellValue[], CellValue[]] => {
      const a = Array.from({ length: last + 1 }, (_, i) => `${r}-${i}`);
      return [a, [a[last]!]];
    });
    expect(score(cols, pairs)).toEqual([]);
  });
});

describe('suggested renames in diffTables', () => {
  it('reports a renamed column as removed and added plus a suggestion, and applies it only when asked', () => {
    const ids = ['1', '2', '3', '4', '5'];
    const o = table(['id', 'Total', 'note'], ids.map((id) => [id, `${id}0`, 'x']));
    const n = table(['id', 'Amount', 'note'], [...ids.map((id) => [id, id === '5' ? '55' : `${id}0`, 'x']), ['6', '60', 'x']]);
    const r = diffTables(o, n, { key: ['id'], options: options() });
    expect(r.summary.columns).toMatchObject({ added: ['Amount'], removed: ['Total'], renamed: [] });
    expect(r.summary.columns.suggestedRenames).toEqual([{ old: 'Total', new: 'Amount', score: 0.8, matchingRows: 4, rowsWithValues: 5 }]);
    expect(r.summary.rows).toMatchObject({ added: 1, changed: 0, unchanged: 5 });
    const applied = diffTables(o, n, { key: ['id'], options: options({ renames: { Total: 'Amount' } }) });
    expect(applied.summary.columns).toMatchObject({ added: [], removed: [], renamed: [{ old: 'Total', new: 'Amount' }], suggestedRenames: [] });
    expect(applied.summary.rows).toMatchObject({ added: 1, changed: 1, unchanged: 4 });
  });

  it('counts only rows paired by key, never duplicates', () => {
    const o = table(['id', 'x'], [['1', 'a'], ['2', 'b'], ['2', 'z'], ['3', 'c']]);
    const n = table(['id', 'y'], [['1', 'a'], ['2', 'q'], ['2', 'r'], ['3', 'c'], ['9', 'w']]);
    expect(diffTables(o, n, { key: ['id'], options: options() }).summary.columns.suggestedRenames).toEqual([
      { old: 'x', new: 'y', score: 1, matchingRows: 2, rowsWithValues: 2 },
    ]);
  });
});
