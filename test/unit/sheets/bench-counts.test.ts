import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffTables } from '../../../src/domain/diff.js';
import { diffFiles } from '../../../src/sheets/diff/diff-files.js';
import { readTable } from '../../../src/sheets/read-table.js';
import { options } from '../domain/table-helpers.js';

// The seeded generator of shared/bench writes base/mod tables and the true diff counts.
const GEN = resolve(import.meta.dirname, '../../../../shared/bench/gen.mjs');
const ROWS = 20_000;

describe.skipIf(!existsSync(GEN))('bench generator counts', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sd-bench-'));
    await promisify(execFile)(process.execPath, [GEN, '--rows', String(ROWS), '--out', dir]);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('finds exactly the added, removed and changed rows and cells the generator made', async () => {
    const meta = JSON.parse(readFileSync(join(dir, `meta_${ROWS}.json`), 'utf8')) as Record<string, number>;
    const [base, mod] = await Promise.all([
      readTable(join(dir, `base_${ROWS}.csv`), 'csv', { maxRows: 100_000 }),
      readTable(join(dir, `mod_${ROWS}.csv`), 'csv', { maxRows: 100_000 }),
    ]);
    expect(base.rows.length).toBe(meta.rows);
    expect(mod.rows.length).toBe(meta.modRows);
    const r = diffTables(base, mod, { key: ['id'], options: options() });
    expect({
      added: r.summary.rows.added,
      removed: r.summary.rows.removed,
      changedRows: r.summary.rows.changed,
      changedCells: r.summary.changedCells,
      duplicateKeys: r.summary.rows.duplicateKeys,
    }).toEqual({
      added: meta.added,
      removed: meta.deleted,
      changedRows: meta.changedRows,
      changedCells: meta.changedCells,
      duplicateKeys: 0,
    });
  });

  // the streaming engine (in memory, spilled to partitions) and the keyless alignment
  it.each([
    ['streamed', { key: ['id'] }, {}],
    ['spilled to partitions', { key: ['id'] }, { spillBytes: 1 << 20 }],
    ['keyless', { key: [] }, {}],
  ] as const)('diffFiles %s finds the exact counts too', async (_name, spec, extra) => {
    const meta = JSON.parse(readFileSync(join(dir, `meta_${ROWS}.json`), 'utf8')) as Record<string, number>;
    const r = await diffFiles(
      { path: join(dir, `base_${ROWS}.csv`), format: 'csv' },
      { path: join(dir, `mod_${ROWS}.csv`), format: 'csv' },
      { key: [...spec.key], options: options() },
      { maxRows: 100_000, tmpDir: dir, ...extra },
    );
    expect({
      added: r.summary.rows.added,
      removed: r.summary.rows.removed,
      changedRows: r.summary.rows.changed,
      changedCells: r.summary.changedCells,
      rowCounts: r.summary.rowCounts,
    }).toEqual({
      added: meta.added,
      removed: meta.deleted,
      changedRows: meta.changedRows,
      changedCells: meta.changedCells,
      rowCounts: { old: meta.rows, new: meta.modRows },
    });
  });
});
