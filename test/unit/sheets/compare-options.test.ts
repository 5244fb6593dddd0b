import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompareOptionsSchema, type CompareOptions } from '../../../src/contracts/jobs.js';
import { diffTables } from '../../../src/domain/diff-engine.js';
import type { DiffResult } from '../../../src/domain/diff-result.js';
import { diffFiles } from '../../../src/sheets/diff/diff-files.js';
import { readTable } from '../../../src/sheets/read-table.js';

/**
 * Every comparison option of CompareOptions, through both engines (the in-memory reference over
 * readTable and the streaming diffFiles): each case is one keyed row pair that differs without
 * the option and is equal with it (or, for emptyEqualsMissing, the other way round).
 */
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sd-options-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

type Engine = (oldPath: string, newPath: string, options: CompareOptions) => Promise<DiffResult>;
const ENGINES: [string, Engine][] = [
  ['in memory', async (o, n, options) => diffTables(await readTable(o, 'csv', { maxRows: 100 }), await readTable(n, 'csv', { maxRows: 100 }), { key: ['id'], options })],
  ['streamed', (o, n, options) => diffFiles({ path: o, format: 'csv' }, { path: n, format: 'csv' }, { key: ['id'], options }, { maxRows: 100, tmpDir: dir })],
];

// [option, its setting, old row, new row] — rows after the header `id,v`
const CASES: [string, Partial<CompareOptions>, string, string][] = [
  ['trim', { trim: true }, '1, apple ', '1,apple'],
  ['collapseWhitespace', { collapseWhitespace: true }, '1,red  apple', '1,red apple'],
  ['ignoreCase', { ignoreCase: true }, '1,Apple', '1,aPPLE'],
  ['numericTolerance', { numericTolerance: 0.05 }, '1,10.00', '1,10.04'],
  ['relativeTolerance', { relativeTolerance: 0.01 }, '1,1000', '1,1009'],
  ['excelDates', { excelDates: true }, '1,45352', '1,2024-03-01'],
  ['ignoreColumns', { ignoreColumns: ['v'] }, '1,a', '1,b'],
  ['emptyEqualsMissing (true: an empty field equals a missing one)', { emptyEqualsMissing: true }, '1,', '1'],
];

describe.each(ENGINES)('comparison options, %s', (_engine, run) => {
  it.each(CASES)('%s', async (name, setting, oldRow, newRow) => {
    const id = name.replace(/\W+/g, '-');
    const o = join(dir, `${id}-old.csv`);
    const n = join(dir, `${id}-new.csv`);
    await writeFile(o, `id,v\n${oldRow}\n`);
    await writeFile(n, `id,v\n${newRow}\n`);
    const off = Object.fromEntries(Object.entries(setting).map(([k, v]) => [k, Array.isArray(v) ? [] : typeof v === 'boolean' ? !v : 0]));
    const without = await run(o, n, CompareOptionsSchema.parse(off));
    const withIt = await run(o, n, CompareOptionsSchema.parse(setting));
    expect(without.summary.rows).toMatchObject({ changed: 1, unchanged: 0 });
    expect(withIt.summary.rows).toMatchObject({ changed: 0, unchanged: 1 });
  });

  it('reports duplicate keys as their own category, never paired', async () => {
    const o = join(dir, 'dup-old.csv');
    const n = join(dir, 'dup-new.csv');
    await writeFile(o, 'id,v\n1,a\n1,b\n2,c\n');
    await writeFile(n, 'id,v\n1,a\n2,c\n2,d\n3,e\n');
    const r = await run(o, n, CompareOptionsSchema.parse({}));
    // keys 1 and 2 repeat in one file: every row holding them, in both files, is a duplicate
    expect(r.summary.rows).toEqual({ added: 1, removed: 0, changed: 0, unchanged: 0, duplicateKeys: 6 });
    expect([...r.changes].filter((c) => c.type === 'duplicate').map((c) => (c.oldCells ? 'old' : 'new'))).toEqual(['old', 'old', 'old', 'new', 'new', 'new']);
  });
});

it('every comparison option of the contract is covered above', () => {
  const covered = new Set(CASES.map(([, s]) => Object.keys(s)[0]));
  const notComparison = new Set(['sheet', 'oldSheet', 'newSheet', 'headerRow', 'oldHeaderRow', 'newHeaderRow', 'renames']);
  const all = Object.keys(CompareOptionsSchema.shape).filter((k) => !notComparison.has(k));
  expect(all.filter((k) => !covered.has(k))).toEqual([]);
});
