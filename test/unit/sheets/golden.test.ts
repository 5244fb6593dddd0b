import { readdirSync, existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompareOptionsSchema, DiffSummarySchema, type CompareOptions } from '../../../src/contracts/jobs.js';
import { diffTables, keyValues, type DiffResult } from '../../../src/domain/diff.js';
import type { CellValue, Table } from '../../../src/domain/table.js';
import { diffFiles, sideReadOptions, type DiffInput } from '../../../src/sheets/diff/diff-files.js';
import { readTable, type SheetFormat } from '../../../src/sheets/read-table.js';
import { buildXlsx, type XlsxParts } from '../../fixtures/sheets/build-xlsx.js';

/**
 * Golden cases: test/fixtures/sheets/<case>/ holds left.* (old) and right.* (new) (CSV, or
 * `<side>.xlsx-parts.json` built into an xlsx here), spec.json ({key, options}) and
 * expected.json: either {summary, changes} (type, key, side of duplicates, changed cells as
 * {column: [old, new]}) or {error: {code, details}} for a diff that must fail. Each case runs
 * through the in-memory reference engine (diffTables over readTable), the streaming engine
 * (diffFiles) and the streaming engine spilled to partitions: all three must agree.
 */
const ROOT = resolve(import.meta.dirname, '../../fixtures/sheets');
const CASES = readdirSync(ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(ROOT, d.name, 'expected.json')))
  .map((d) => d.name);

interface ExpectedChange {
  type: string;
  key: CellValue[];
  side?: 'old' | 'new';
  cells?: Record<string, [CellValue, CellValue]>;
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'sd-golden-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function input(caseName: string, side: 'left' | 'right'): Promise<DiffInput> {
  const dir = join(ROOT, caseName);
  const file = readdirSync(dir).find((f) => f.startsWith(`${side}.`))!;
  if (file.endsWith('.xlsx-parts.json')) {
    const path = join(tmp, `${caseName}-${side}.xlsx`);
    await buildXlsx(path, JSON.parse(readFileSync(join(dir, file), 'utf8')) as XlsxParts);
    return { path, format: 'xlsx' };
  }
  return { path: join(dir, file), format: file.slice(file.lastIndexOf('.') + 1) as SheetFormat };
}

/** Both tables, read as the diff reads them: per-side sheet and header row, sheets matched by name. */
async function loadTables(caseName: string, o: CompareOptions): Promise<[Table, Table]> {
  const l = await input(caseName, 'left');
  const left = await readTable(l.path, l.format, sideReadOptions({ maxRows: 10_000, tmpDir: tmp }, o, 'old'));
  const r = await input(caseName, 'right');
  return [left, await readTable(r.path, r.format, sideReadOptions({ maxRows: 10_000, tmpDir: tmp }, o, 'new', left.sheetName))];
}

function loadCase(caseName: string) {
  const spec = JSON.parse(readFileSync(join(ROOT, caseName, 'spec.json'), 'utf8')) as { key: string[]; options: unknown };
  const expected = JSON.parse(readFileSync(join(ROOT, caseName, 'expected.json'), 'utf8')) as {
    summary: unknown;
    changes: ExpectedChange[];
    error?: { code: string; details?: Record<string, unknown> };
  };
  return { spec: { key: spec.key, options: CompareOptionsSchema.parse(spec.options) }, expected };
}

async function expectError(run: () => Promise<unknown>, error: { code: string; details?: Record<string, unknown> }): Promise<void> {
  await expect(run()).rejects.toMatchObject({ code: error.code, ...(error.details && { details: error.details }) });
}

function describeChanges(r: DiffResult): ExpectedChange[] {
  return [...r.changes].map((c) => {
    const out: ExpectedChange = { type: c.type, key: keyValues(r, c) };
    if (c.type === 'duplicate') out.side = c.newCells ? 'new' : 'old';
    if (c.type === 'changed') {
      out.cells = Object.fromEntries(c.cells.map((x) => [r.columns[x.column]!.name, [x.old, x.new]]));
    }
    return out;
  });
}

describe('golden diff cases', () => {
  it.each(CASES)('%s', async (caseName) => {
    const { spec, expected } = loadCase(caseName);
    if (expected.error) return expectError(async () => diffTables(...(await loadTables(caseName, spec.options)), spec), expected.error);
    const [left, right] = await loadTables(caseName, spec.options);
    const r = diffTables(left, right, spec);
    expect(DiffSummarySchema.parse(r.summary)).toEqual(expected.summary);
    expect(describeChanges(r)).toEqual(expected.changes);
  });

  it.each(CASES)('%s, streamed from the files (diffFiles)', async (caseName) => {
    const { spec, expected } = loadCase(caseName);
    const run = async () => diffFiles(await input(caseName, 'left'), await input(caseName, 'right'), spec, { maxRows: 10_000, tmpDir: tmp });
    if (expected.error) return expectError(run, expected.error);
    const r = await run();
    expect(DiffSummarySchema.parse(r.summary)).toEqual(expected.summary);
    expect(describeChanges(r)).toEqual(expected.changes);
  });

  it.each(CASES)('%s, spilled to partitions', async (caseName) => {
    const { spec, expected } = loadCase(caseName);
    const run = async () =>
      diffFiles(await input(caseName, 'left'), await input(caseName, 'right'), spec, { maxRows: 10_000, tmpDir: tmp, spillBytes: 16 });
    if (expected.error) return expectError(run, expected.error);
    const r = await run();
    expect(DiffSummarySchema.parse(r.summary)).toEqual(expected.summary);
    // partitions change the order in which removed rows and duplicates interleave, not the set
    const sorted = (v: ExpectedChange[]) => v.map((c) => JSON.stringify([c.type, c.side, c.key, c.cells])).sort();
    expect(sorted(describeChanges(r))).toEqual(sorted(expected.changes));
    expect(readdirSync(tmp).filter((f) => f.startsWith('sd-spill-'))).toEqual([]);
  });
});
