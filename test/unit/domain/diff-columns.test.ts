import { describe, expect, it } from 'vitest';
import { createKeyCanonicaliser } from '../../../src/domain/cell-compare.js';
import { findMovedColumns, longestIncreasingRun } from '../../../src/domain/column-moves.js';
import { planColumns, resolveKeyColumns } from '../../../src/domain/diff-columns.js';
import { diffTables } from '../../../src/domain/diff-engine.js';
import { AppError } from '../../../src/errors/index.js';
import { options, table } from './table-helpers.js';

const canon = createKeyCanonicaliser(options());
const headers = (oldH: string[], newH: string[]) => [table(oldH, []), table(newH, [])] as const;
const plan = (oldH: string[], newH: string[], o: Parameters<typeof planColumns>[3] = { ignoreColumns: [] }) =>
  planColumns(...headers(oldH, newH), ['id'], o, canon);
/** Moves as `name:from→to` with column letters. */
const moves = (oldH: string[], newH: string[]) => plan(oldH, newH).moved.map((m) => `${m.name}:${m.oldColumn}→${m.newColumn}`);

function errorOf(fn: () => unknown): AppError | undefined {
  try {
    fn();
  } catch (err) {
    return err as AppError;
  }
  return undefined;
}

describe('longestIncreasingRun', () => {
  it.each<[number[], number[]]>([
    [[], []],
    [[0, 1, 2], [0, 1, 2]],
    [[1, 2, 3, 0], [0, 1, 2]],
    [[3, 0, 1, 2], [1, 2, 3]],
    [[1, 0], [1]],
    [[0, 4, 1, 2, 3], [0, 2, 3, 4]],
  ])('%j → indexes %j', (seq, expected) => {
    expect(longestIncreasingRun(seq)).toEqual(expected);
  });
});

describe('moved columns', () => {
  it.each<[string, string[], string[], string[]]>([
    ['same order', ['id', 'a', 'b', 'c'], ['id', 'a', 'b', 'c'], []],
    ['a column inserted: nothing moves', ['id', 'a', 'b', 'c'], ['id', 'new', 'a', 'b', 'c'], []],
    ['a column removed: nothing moves', ['id', 'a', 'b', 'c'], ['id', 'b', 'c'], []],
    ['one column dragged to the end', ['id', 'a', 'b', 'c', 'd'], ['id', 'b', 'c', 'd', 'a'], ['a:B→E']],
    ['one column dragged to the front', ['id', 'a', 'b', 'c', 'd'], ['d', 'id', 'a', 'b', 'c'], ['d:E→A']],
    ['two columns swapped: the later one moved', ['id', 'a', 'b'], ['id', 'b', 'a'], ['b:C→B']],
    ['a move next to an insertion', ['id', 'a', 'b', 'c'], ['id', 'x', 'c', 'a', 'b'], ['c:D→C']],
    ['header case does not count as a move', ['ID', 'Name'], ['id', 'name'], []],
  ])('%s', (_name, oldH, newH, expected) => {
    expect(moves(oldH, newH)).toEqual(expected);
  });

  it('says where a moved column now stands', () => {
    expect(plan(['id', 'price', 'qty', 'name'], ['id', 'qty', 'name', 'price']).moved).toEqual([
      { name: 'price', oldPosition: 2, newPosition: 4, oldColumn: 'B', newColumn: 'D', after: 'name' },
    ]);
    expect(plan(['id', 'a'], ['a', 'id']).moved[0]!.after).toBeNull();
  });

  it('leaves ignored columns out', () => {
    const p = plan(['id', 'a', 'b', 'skip'], ['skip', 'id', 'a', 'b'], { ignoreColumns: ['skip'] });
    expect(p.moved).toEqual([]);
    expect(findMovedColumns(p.columns, ['skip', 'id', 'a', 'b'])).toEqual([]);
  });
});

describe('renames from the options', () => {
  it('pairs the old and the new header as one compared column', () => {
    const p = plan(['id', 'Total', 'qty'], ['id', 'qty', 'Amount'], { ignoreColumns: [], renames: { total: 'amount' } });
    expect(p.columns.map((c) => `${c.name}:${c.status}:${c.oldIndex}:${c.newIndex}`)).toEqual(['id:key:0:0', 'qty:compared:2:1', 'Amount:compared:1:2']);
    expect(p.columns[2]!.renamedFrom).toBe('Total');
    expect(p.renamed).toEqual([{ old: 'Total', new: 'Amount' }]);
    expect(p.moved.map((m) => m.name)).toEqual(['qty']);
  });

  it('lets a new column keep an old name that was renamed away', () => {
    const p = plan(['id', 'a'], ['id', 'a', 'b'], { ignoreColumns: [], renames: { a: 'b' } });
    expect(p.columns.map((c) => `${c.name}:${c.status}`)).toEqual(['id:key', 'a:added', 'b:compared']);
  });

  it('compares the renamed cells and finds a key by either name', () => {
    const o = table(['code', 'v'], [['a', 1], ['b', 2]]);
    const n = table(['sku', 'v'], [['a', 1], ['b', 3]]);
    const r = diffTables(o, n, { key: ['sku'], options: options({ renames: { code: 'sku' } }) });
    expect(r.summary.key).toEqual(['sku']);
    expect(r.summary.rows).toMatchObject({ changed: 1, unchanged: 1, added: 0, removed: 0 });
    expect(resolveKeyColumns(['code', 'v'], ['sku'], { code: 'sku' })).toEqual([0]);
  });

  it.each<[string, Record<string, string>, string, string]>([
    ['an old column the old file lacks', { nope: 'b' }, 'column_not_found', 'old'],
    ['a new column the new file lacks', { a: 'nope' }, 'column_not_found', 'new'],
  ])('fails for %s, listing that file\'s columns', (_n, renames, code, side) => {
    const err = errorOf(() => plan(['id', 'a'], ['id', 'b'], { ignoreColumns: [], renames }));
    expect(err?.code).toBe(code);
    expect(err?.details).toMatchObject({ side, available: side === 'old' ? ['id', 'a'] : ['id', 'b'] });
  });

  it('refuses two renames of one column', () => {
    expect(errorOf(() => plan(['id', 'a', 'b'], ['id', 'c'], { ignoreColumns: [], renames: { a: 'c', b: 'c' } }))?.code).toBe('validation_failed');
  });
});
