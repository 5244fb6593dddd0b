import { readdirSync, existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompareOptionsSchema, DiffSummarySchema } from '../../../src/contracts/jobs.js';
import { diffTables, keyValues, type DiffResult } from '../../../src/domain/diff.js';
import type { CellValue, Table } from '../../../src/domain/table.js';
import { diffFiles, type DiffInput } from '../../../src/sheets/diff/diff-files.js';
import { readTable, type SheetFormat } from '../../../src/sheets/read-table.js';
import { buildXlsx, type XlsxParts } from '../../fixtures/sheets/build-xlsx.js';

/**
 * Golden cases: test/fixtures/sheets/<case>/ holds left.* and right.* (CSV, or
 * `<side>.xlsx-parts.json` built into an xlsx here), spec.json ({key, options}) and
 * expected.json ({summary, changes}: type, key, side of duplicates, changed cells as
 * {column: [old, new]}).
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

async function load(caseName: string, side: 'left' | 'right'): Promise<Table> {
  const f = await input(caseName, side);
  return readTable(f.path, f.format, { maxRows: 10_000 });
}

function loadCase(caseName: string) {
  const spec = JSON.parse(readFileSync(join(ROOT, caseName, 'spec.json'), 'utf8')) as { key: string[]; options: unknown };
  const expected = JSON.parse(readFileSync(join(ROOT, caseName, 'expected.json'), 'utf8')) as {
    summary: unknown;
    changes: ExpectedChange[];
  };
  return { spec: { key: spec.key, options: CompareOptionsSchema.parse(spec.options) }, expected };
}

function describeChanges(r: DiffResult): ExpectedChange[] {
  return r.changes.map((c) => {
    const out: ExpectedChange = { type: c.type, key: keyValues(r, c) };
    if (c.type === 'duplicate') out.side = c.newRow >= 0 ? 'new' : 'old';
    if (c.type === 'changed') {
      out.cells = Object.fromEntries(c.cells.map((x) => [r.columns[x.column]!.name, [x.old, x.new]]));
    }
    return out;
  });
}

describe('golden diff cases', () => {
  it.each(CASES)('%s', async (caseName) => {
    const { spec, expected } = loadCase(caseName);
    const [left, right] = await Promise.all([load(caseName, 'left'), load(caseName, 'right')]);
    const r = diffTables(left, right, spec);
    expect(DiffSummarySchema.parse(r.summary)).toEqual(expected.summary);
    expect(describeChanges(r)).toEqual(expected.changes);
  });

  it.each(CASES)('%s, streamed from the files (diffFiles)', async (caseName) => {
    const { spec, expected } = loadCase(caseName);
    const r = await diffFiles(await input(caseName, 'left'), await input(caseName, 'right'), spec, { maxRows: 10_000, tmpDir: tmp });
    expect(DiffSummarySchema.parse(r.summary)).toEqual(expected.summary);
    expect(describeChanges(r)).toEqual(expected.changes);
  });

  it.each(CASES)('%s, spilled to partitions', async (caseName) => {
    const { spec, expected } = loadCase(caseName);
    const r = await diffFiles(await input(caseName, 'left'), await input(caseName, 'right'), spec, {
      maxRows: 10_000,
      tmpDir: tmp,
      spillBytes: 16,
    });
    expect(DiffSummarySchema.parse(r.summary)).toEqual(expected.summary);
    // partitions change the order in which removed rows and duplicates interleave, not the set
    const sorted = (v: ExpectedChange[]) => v.map((c) => JSON.stringify([c.type, c.side, c.key, c.cells])).sort();
    expect(sorted(describeChanges(r))).toEqual(sorted(expected.changes));
    expect(readdirSync(tmp).filter((f) => f.startsWith('sd-spill-'))).toEqual([]);
  });
});
