import { readdirSync, readlinkSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planColumns } from '../../../src/domain/diff-columns.js';
import type { RowChange } from '../../../src/domain/diff-result.js';
import { DiffAccumulator } from '../../../src/domain/keyed/diff-accumulator.js';
import type { CellValue } from '../../../src/domain/table.js';
import { changeBound, decodeChange, encodeChange, frameAnchor, frameLength } from '../../../src/sheets/diff/change-codec.js';
import { ChangeFile } from '../../../src/sheets/diff/change-file.js';
import { mergeRuns } from '../../../src/sheets/diff/merge-runs.js';
import { options, table } from '../domain/table-helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sd-chfile-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every kind of value a cell can hold, as readers produce them. */
const VALUES: CellValue[] = [
  null,
  '',
  ' ',
  'plain',
  true,
  false,
  0,
  -0,
  1,
  -1.5,
  0.1 + 0.2,
  Number.MAX_SAFE_INTEGER,
  -Number.MAX_VALUE,
  Number.MIN_VALUE,
  Infinity,
  -Infinity,
  NaN,
  '2024-03-01', // a date (dates are ISO text)
  '2024-03-01T13:45:00.250',
  '13:45:00',
  '#N/A', // error cells read as their text
  '#DIV/0!',
  'bold then plain', // rich text reads as its plain text
  '北京市朝阳区', // CJK
  'Zoë 🙂 e\u0301', // emoji (a surrogate pair) and a combining accent
  'tab\tnew\nline\r\u0000\u001e\u001f', // control characters, the record codec's separators included
  'lone \ud800 high',
  'lone \udc00 low',
  '\udbff',
  'x'.repeat(42),
  'é'.repeat(42), // 84 bytes: the one-byte length form
  'é'.repeat(43), // past it
  '€'.repeat(200),
  'long '.repeat(300_000), // 1.5 MB: larger than the write buffer
];

function roundTrip(change: RowChange, anchor: number): { change: RowChange; anchor: number; size: number } {
  const buf = Buffer.alloc(changeBound(change) + 8);
  const end = encodeChange(change, anchor, buf, 3);
  expect(frameLength(buf, 3)).toBe(end - 3);
  return { change: decodeChange(buf, 3), anchor: frameAnchor(buf, 3), size: end - 3 };
}

const change = (over: Partial<RowChange>): RowChange => ({ type: 'added', oldCells: null, newCells: null, oldRowNumber: -1, newRowNumber: -1, cells: [], ...over });

describe('change codec', () => {
  it('round-trips every kind of cell value in rows and changed cells', () => {
    const c = change({
      type: 'changed',
      oldCells: VALUES,
      newCells: [...VALUES].reverse(),
      oldRowNumber: 2,
      newRowNumber: 1_048_576,
      cells: VALUES.map((v, i) => ({ column: i * 1000, old: v, new: VALUES[VALUES.length - 1 - i]! })),
    });
    const back = roundTrip(c, 1_048_576);
    expect(back.anchor).toBe(1_048_576);
    expect(back.change).toEqual(c);
    // value by value, as Object.is sees them: -0 stays -0, NaN stays NaN, '' stays apart from null
    for (let i = 0; i < VALUES.length; i++) expect(Object.is(back.change.oldCells![i], VALUES[i]), String(i)).toBe(true);
  });

  it.each(['added', 'removed', 'changed', 'duplicate'] as const)('keeps the type %s, missing rows, empty rows and row numbers', (type) => {
    for (const c of [
      change({ type, newCells: ['1', null, ''], newRowNumber: 7 }),
      change({ type, oldCells: [], oldRowNumber: 3 }),
      change({ type, oldCells: [null], newCells: [null, null], oldRowNumber: 1e9, newRowNumber: 2 }),
    ]) {
      const back = roundTrip(c, Number.MAX_SAFE_INTEGER);
      expect(back.change).toEqual(c);
      expect(back.anchor).toBe(Number.MAX_SAFE_INTEGER);
    }
  });

  it('stores ASCII text at one byte a character plus a tag and a length', () => {
    const ascii = roundTrip(change({ newCells: ['abcdefghij'] }), 1).size;
    const none = roundTrip(change({ newCells: [null] }), 1).size;
    expect(ascii - none).toBe(11);
  });
});

describe('mergeRuns', () => {
  type Item = [key: number, tag: string];
  const merge = (runs: Item[][]): string[] => [...mergeRuns(runs, (a: Item, b: Item) => a[0] - b[0])].map((x) => x[1]);

  it('merges runs in key order, ties in run order then in order within a run', () => {
    const runs: Item[][] = [
      [
        [1, 'a1'],
        [3, 'a3'],
        [3, 'a3b'],
        [9, 'a9'],
      ],
      [
        [0, 'b0'],
        [3, 'b3'],
        [9, 'b9'],
      ],
      [
        [3, 'c3'],
        [3, 'c3b'],
      ],
    ];
    expect(merge(runs)).toEqual(['b0', 'a1', 'a3', 'a3b', 'b3', 'c3', 'c3b', 'a9', 'b9']);
  });

  it('takes empty runs, no runs and a single run', () => {
    expect(merge([])).toEqual([]);
    expect(merge([[], []])).toEqual([]);
    expect(merge([[], [[2, 'x']], []])).toEqual(['x']);
    // a single run comes out as it is, in its own order
    expect(merge([[[5, 'p'], [1, 'q'], [5, 'r']]])).toEqual(['p', 'q', 'r']);
  });

  it('gives what a stable sort gives, over many random runs', () => {
    let seed = 7;
    const rand = (n: number): number => ((seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) % n);
    for (let round = 0; round < 30; round++) {
      const runs: Item[][] = Array.from({ length: 1 + rand(40) }, (_, r) => {
        const keys = Array.from({ length: rand(30) }, () => rand(50)).sort((a, b) => a - b);
        return keys.map((k, i): Item => [k, `${r}.${i}`]);
      });
      const sorted = runs.flat().sort((a, b) => a[0] - b[0]); // stable: run order, then order within
      expect(merge(runs)).toEqual(sorted.map((x) => x[1]));
    }
  });

  it('closes every run when the reader leaves early', () => {
    const closed: number[] = [];
    function* run(id: number, keys: number[]): Generator<Item> {
      try {
        for (const k of keys) yield [k, `${id}`];
      } finally {
        closed.push(id);
      }
    }
    for (const x of mergeRuns([run(0, [1, 2, 3]), run(1, [1, 5]), run(2, [])], (a, b) => a[0] - b[0])) {
      if (x[0] === 2) break;
    }
    expect(closed.sort()).toEqual([0, 1, 2]);
  });
});

/** Open file descriptors of this process that point into `path`. */
function fdsInto(path: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(path)) n++;
    } catch {
      // closed while listed
    }
  }
  return n;
}

describe('ChangeFile', () => {
  /** Changes of runs: run r has `sizes[r]` changes with nondecreasing anchors, removed rows first at a tie. */
  function runs(sizes: number[]): [RowChange, number][][] {
    return sizes.map((size, r) =>
      Array.from({ length: size }, (_, i) => {
        const anchor = 2 + Math.floor(i / 2) * 3 + (r % 3);
        const removed = i % 2 === 0;
        const c = removed
          ? change({ type: 'removed', oldCells: [`r${r}`, i, VALUES[(i + r) % VALUES.length]!], oldRowNumber: 100 * r + i })
          : change({ type: 'added', newCells: [`r${r}`, i, 'é'.repeat(i)], newRowNumber: anchor });
        return [c, anchor];
      }),
    );
  }

  it('reads back the runs merged by anchor, removed rows before the new row at a tie, as often as asked', async () => {
    const sizes = [0, 50, 1, 0, 333, 20];
    const input = runs(sizes);
    const f = new ChangeFile(dir);
    for (const run of input) {
      for (const [c, a] of run) f.write(c, a);
      f.endRun();
    }
    const list = f.finish();
    expect(list.length).toBe(404);
    expect(list.onDisk).toBe(true);
    const expected = input
      .flat()
      .map(([c, a], i) => ({ c, a, i }))
      .sort((x, y) => x.a - y.a || (x.c.newCells ? 1 : 0) - (y.c.newCells ? 1 : 0) || x.i - y.i)
      .map((x) => x.c);
    expect([...list]).toEqual(expected);
    expect([...list]).toEqual(expected);
    expect(fdsInto(dir)).toBe(0);
    const [sub] = await readdir(dir);
    expect(sub).toMatch(/^sd-changes-/);
    await list.close();
    expect(await readdir(dir)).toEqual([]);
    expect(() => [...list]).toThrow(/closed/);
  });

  it('reads frames larger than its buffers, with many runs', async () => {
    const f = new ChangeFile(dir);
    const big = 'long '.repeat(400_000); // 2 MB, twice the write buffer
    const written: RowChange[] = [];
    for (let r = 0; r < 200; r++) {
      const c = change({ type: 'removed', oldCells: ['k', r === 7 || r === 150 ? big : `row ${r}`], oldRowNumber: r + 2 });
      f.write(c, r);
      written.push(c);
      f.endRun();
    }
    const list = f.finish();
    expect([...list]).toEqual(written);
    await list.close();
  });

  it('releases its reader when the consumer stops early or throws', async () => {
    const f = new ChangeFile(dir);
    for (const run of runs([10, 10])) {
      for (const [c, a] of run) f.write(c, a);
      f.endRun();
    }
    const list = f.finish();
    for (const _ of list) break;
    expect(fdsInto(dir)).toBe(0);
    expect(() => {
      for (const _ of list) {
        expect(fdsInto(dir)).toBe(1);
        throw new Error('writer failed');
      }
    }).toThrow('writer failed');
    expect(fdsInto(dir)).toBe(0);
    await list.close();
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('DiffAccumulator with a change budget', () => {
  const plan = () => planColumns(table(['id', 'v'], []), table(['id', 'v'], []), ['id'], options(), (v) => String(v));
  const sheets = { old: { name: 'S', names: ['S'], header: ['id', 'v'], headerRow: 1 }, new: { name: 'S', names: ['S'], header: ['id', 'v'], headerRow: 1 } };

  /** Pushes three partitions' changes (as KeyedDiffer does: removed rows before the new row at their anchor). */
  function fill(acc: DiffAccumulator): void {
    for (let p = 0; p < 3; p++) {
      for (let i = 0; i < 40; i++) {
        const anchor = 2 + i * 3 + p;
        if (i % 4 === 0) acc.push('removed', [`o${p}.${i}`, 'x'], 1000 + i, null, -1, null, anchor);
        if (i % 3 === 0) acc.push('changed', [`k${p}.${i}`, 'a'], anchor, [`k${p}.${i}`, 'b'], anchor, [{ column: 1, old: 'a', new: 'b' }], anchor);
        else acc.push('added', null, -1, [`n${p}.${i}`, 'y'], anchor, null, anchor);
      }
      acc.push('removed', [`tail${p}`, 'z'], 5000 + p, null, -1, null, Number.MAX_SAFE_INTEGER);
      acc.addRowCounts(50, 50);
    }
  }

  it.each([
    ['before the first change', 1],
    ['in the middle of a partition', 6_000],
    ['after the last change', 1 << 30],
  ])('gives the in-memory order and counts when it spills %s', async (_when, budget) => {
    const mem = new DiffAccumulator(plan());
    fill(mem);
    const inMemory = mem.result(['id'], sheets);
    const acc = new DiffAccumulator(plan(), undefined, ChangeFile.plan(budget, dir));
    fill(acc);
    const r = acc.result(['id'], sheets);
    expect(r.changes.onDisk).toBe(budget < 1 << 30);
    expect(r.summary).toEqual(inMemory.summary);
    expect(r.changes.length).toBe(inMemory.changes.length);
    expect([...r.changes]).toEqual([...inMemory.changes]);
    await r.changes.close();
    expect(await readdir(dir)).toEqual([]);
  });

  it('removes its change file when the diff is discarded', async () => {
    const acc = new DiffAccumulator(plan(), undefined, ChangeFile.plan(1, dir));
    fill(acc);
    expect(acc.spilled).toBe(true);
    expect(await readdir(dir)).toHaveLength(1);
    acc.discard();
    expect(await readdir(dir)).toEqual([]);
  });
});
