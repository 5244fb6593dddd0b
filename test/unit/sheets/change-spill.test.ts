/**
 * Changes past their memory budget (DIFF_CHANGES_MB): a generated diff whose changes go to a
 * change file gives the same bytes in every output (CSV, XLSX parts, JSON, summary, preview
 * pages) as the same diff held in memory, with its inputs in memory and spilled to partitions,
 * and leaves no temporary file behind, also when a writer fails.
 */
import { createWriteStream, readdirSync, readlinkSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompareOptionsSchema } from '../../../src/contracts/jobs.js';
import type { DiffResult, DiffSpec } from '../../../src/domain/diff-result.js';
import { buildPreview } from '../../../src/domain/preview.js';
import { runCli } from '../../../src/cli/run.js';
import { diffFiles, type DiffFilesOptions } from '../../../src/sheets/diff/diff-files.js';
import { writeDiffCsv } from '../../../src/sheets/write-diff-csv.js';
import { writeDiffJson } from '../../../src/sheets/write-diff-json.js';
import { writeDiffXlsx } from '../../../src/sheets/write-diff-xlsx.js';
import { objectKeys } from '../../../src/storage/keys.js';
import { createLocalStore } from '../../../src/storage/local.js';
import { writePreviewPages } from '../../../workers/compare/preview-pages.js';
import { readZipEntries } from '../../helpers/zip.js';

let dir: string;
let scratch: string;
let oldPath: string;
let newPath: string;
const expected = { added: 0, removed: 0, changed: 0, changedCells: 0, duplicateKeys: 0, unchanged: 0 };

const ROWS = 3000;
const WORDS = ['alpha', '北京', 'Zoë 🙂', 'a,b', 'say "hi"', 'line\nbreak', '', '=1+1', 'ölçü'];

/** A seeded pair of CSV files with removed, added, changed and duplicate-key rows; counts in `expected`. */
async function generate(): Promise<void> {
  let seed = 42;
  const rand = (n: number): number => ((seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) % n);
  const q = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const row = (id: string, cells: string[]): string => [id, ...cells].map(q).join(',') + '\n';
  const cellsOf = (i: number): string[] => [String(i * 7), WORDS[i % WORDS.length]!, `${(i * 1.25).toFixed(2)}`, i % 5 === 0 ? '' : `2024-0${1 + (i % 9)}-1${i % 10}`, i % 2 ? 'true' : 'false'];
  let oldText = 'id,qty,name,price,date,active\n';
  let newText = 'id,qty,name,price,date,active\n';
  for (let i = 1; i <= ROWS; i++) {
    const id = `K${i}`;
    const cells = cellsOf(i);
    oldText += row(id, cells);
    const r = rand(100);
    if (r < 6) {
      expected.removed++;
      continue;
    }
    if (r < 8) {
      // this key twice in the new file: one old row and two new rows are duplicates
      newText += row(id, cells) + row(id, cellsOf(i + 1));
      expected.duplicateKeys += 3;
    } else if (r < 30) {
      const next = [...cells];
      const n = 1 + rand(3);
      for (let c = 0; c < n; c++) next[c] = `${next[c]}~${c}`;
      newText += row(id, next);
      expected.changed++;
      expected.changedCells += n;
    } else {
      newText += row(id, cells);
      expected.unchanged++;
    }
    if (rand(100) < 5) {
      newText += row(`N${i}`, cellsOf(i + 2));
      expected.added++;
    }
  }
  // a key twice in the old file only
  oldText += row('D1', cellsOf(1)) + row('D1', cellsOf(2));
  newText += row('D1', cellsOf(3));
  expected.duplicateKeys += 3;
  oldPath = join(dir, 'old.csv');
  newPath = join(dir, 'new.csv');
  await writeFile(oldPath, oldText);
  await writeFile(newPath, newText);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sd-chspill-'));
  scratch = join(dir, 'scratch');
  await (await import('node:fs/promises')).mkdir(scratch);
  await generate();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const spec: DiffSpec = { key: ['id'], options: CompareOptionsSchema.parse({}) };
const diff = (o: Partial<DiffFilesOptions>) => diffFiles({ path: oldPath, format: 'csv' }, { path: newPath, format: 'csv' }, spec, { maxRows: 100_000, tmpDir: scratch, ...o });

/** Open file descriptors of this process that point into `path`. */
function fdsInto(path: string): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith(path);
    } catch {
      return false;
    }
  }).length;
}

interface Outputs {
  csv: Buffer;
  json: Buffer;
  xlsx: Map<string, string>;
  summary: string;
  pages: string[];
}

let runs = 0;
/** Every output of `r`, written the way the CLI and the compare worker write them; then closes it. */
async function outputs(r: DiffResult): Promise<Outputs> {
  const out = join(dir, `out-${runs++}`);
  try {
    await writeDiffCsv(r, createWriteStream(`${out}.csv`));
    await writeDiffJson(r, createWriteStream(`${out}.json`));
    await writeDiffXlsx(r, { oldName: 'old.csv', newName: 'new.csv', options: spec.options, key: r.summary.key }, createWriteStream(`${out}.xlsx`));
    const store = createLocalStore({ dataDir: `${out}-store`, secret: 'x'.repeat(32), publicBaseUrl: 'http://localhost' });
    const { pageCount } = await writePreviewPages(store, 'job', r, { pageSize: 100, concurrency: 3 });
    const pages: string[] = [];
    for (let p = 0; p < pageCount; p++) {
      const chunks: Buffer[] = [];
      for await (const c of await store.get(objectKeys.previewPage('job', p))) chunks.push(c as Buffer);
      pages.push(Buffer.concat(chunks).toString('utf8'));
    }
    return { csv: await readFile(`${out}.csv`), json: await readFile(`${out}.json`), xlsx: await readZipEntries(`${out}.xlsx`), summary: JSON.stringify(r.summary), pages };
  } finally {
    await r.changes.close();
  }
}

describe('changes past the change budget', () => {
  it.each([
    ['inputs in memory', 256 << 20],
    ['inputs spilled to partitions', 64 << 10],
  ])('give byte-identical outputs and exact counts, %s', async (_case, spillBytes) => {
    const inMemory = await diff({ spillBytes });
    expect(inMemory.changes.onDisk).toBe(false);
    expect({ ...inMemory.summary.rows, changedCells: inMemory.summary.changedCells }).toEqual(expected);
    const total = expected.added + expected.removed + expected.changed + expected.duplicateKeys;
    expect(inMemory.changes.length).toBe(total);
    const reference = await outputs(inMemory);
    // the JSON output is the preview of every change, streamed
    expect(JSON.parse(reference.json.toString('utf8'))).toMatchObject({ totalChanges: total, truncated: false });
    expect(reference.pages).toHaveLength(Math.ceil(total / 100));

    for (const changesBytes of [1, 40_000]) {
      const spilled = await diff({ spillBytes, changesBytes });
      expect(spilled.changes.onDisk, `budget ${changesBytes}`).toBe(true);
      expect((await readdir(scratch)).filter((f) => f.startsWith('sd-changes-'))).toHaveLength(1);
      expect(spilled.summary).toEqual(inMemory.summary);
      expect(spilled.changes.length).toBe(total);
      const got = await outputs(spilled);
      expect(got.csv.equals(reference.csv), 'CSV bytes').toBe(true);
      expect(got.json.equals(reference.json), 'JSON bytes').toBe(true);
      expect([...got.xlsx.keys()]).toEqual([...reference.xlsx.keys()]);
      for (const [name, text] of reference.xlsx) expect(got.xlsx.get(name) === text, name).toBe(true);
      expect(got.summary).toBe(reference.summary);
      expect(got.pages).toEqual(reference.pages);
      expect(await readdir(scratch)).toEqual([]);
    }
  });

  it('streams the same JSON as the in-memory preview of every change', async () => {
    const r = await diff({ spillBytes: 64 << 10, changesBytes: 1 });
    const file = join(dir, 'all.json');
    await writeDiffJson(r, createWriteStream(file));
    const again = await diff({ spillBytes: 64 << 10 });
    expect(await readFile(file, 'utf8')).toBe(JSON.stringify(buildPreview(again, { limit: Number.MAX_SAFE_INTEGER })));
    await r.changes.close();
    await again.changes.close();
  });

  it('spills the changes of a keyless diff too, in the same order', async () => {
    const keyless = (changesBytes: number) =>
      diffFiles({ path: oldPath, format: 'csv' }, { path: newPath, format: 'csv' }, { key: [], options: spec.options }, { maxRows: 100_000, tmpDir: scratch, changesBytes });
    const a = await keyless(1 << 30);
    const b = await keyless(1);
    expect(a.changes.onDisk).toBe(false);
    expect(b.changes.onDisk).toBe(true);
    expect(b.summary).toEqual(a.summary);
    expect([...b.changes]).toEqual([...a.changes]);
    await a.changes.close();
    await b.changes.close();
    expect(await readdir(scratch)).toEqual([]);
  });

  it('removes the change file when a writer fails halfway', async () => {
    const r = await diff({ spillBytes: 64 << 10, changesBytes: 1 });
    expect(r.changes.onDisk).toBe(true);
    let written = 0;
    const failing = new Writable({
      write(chunk: Buffer, _enc, cb) {
        written += chunk.length;
        cb(written > 20_000 ? new Error('disk full') : null);
      },
    });
    try {
      await expect(writeDiffCsv(r, failing)).rejects.toThrow('disk full');
      // the writer's reader let go of the file when the write failed
      expect(fdsInto(scratch)).toBe(0);
    } finally {
      await r.changes.close();
    }
    expect(await readdir(scratch)).toEqual([]);
  });

  it('through the CLI: --changes-mb 0 writes the same CSV, and no temporary file stays when the output fails', async () => {
    const cli = async (...argv: string[]) => {
      const err: string[] = [];
      const code = await runCli(argv, { env: {}, out: () => {}, err: (l) => err.push(l) });
      return { code, err };
    };
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = scratch; // the CLI's scratch directory is os.tmpdir()
    try {
      const a = join(dir, 'cli-mem.csv');
      const b = join(dir, 'cli-disk.csv');
      // inputs partitioned both times (a partitioned diff orders its changes by new-file row)
      expect((await cli('diff', oldPath, newPath, '--key', 'id', '--out', a, '--spill-mb', '0.0625')).code).toBe(1);
      expect((await cli('diff', oldPath, newPath, '--key', 'id', '--out', b, '--changes-mb', '0', '--spill-mb', '0.0625')).code).toBe(1);
      expect((await readFile(b)).equals(await readFile(a))).toBe(true);
      // an output path that is a directory: the writer fails after the diff
      const failed = await cli('diff', oldPath, newPath, '--key', 'id', '--out', scratch, '--format', 'csv', '--changes-mb', '0');
      expect(failed.code).toBe(2);
      expect(failed.err[0]).toMatch(/EISDIR/);
      expect(await readdir(scratch)).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
  });
});
