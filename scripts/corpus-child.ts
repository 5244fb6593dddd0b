/**
 * Child of corpus-sweep.ts: reads one JSON line per task on stdin ({ path, step, other? }),
 * runs it and answers one JSON line on stdout: { ok: true, rows, cols, detail? },
 * { ok: false, code, message, generic } or { ok: false, wrong: true, message }.
 *
 * Steps: `read` (readTable, first non-empty visible sheet); the diff path through diffFiles:
 * `self` (the file against itself keyed by its first column: no row may be added, removed or
 * changed; then again with the spill budget at half the file's size, so both sides go through
 * key-hash partition files, and for a zip with a 1 KiB shared strings budget, so the table is
 * read back from disk: the same counts each time), `keyless` (against itself without a key: no
 * change at all), `neighbour` (against `other`
 * without a key, then keyed by the first column when `other` has it: any outcome but a crash,
 * a generic error or a wrong result).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CompareOptionsSchema } from '../src/contracts/jobs.js';
import type { DiffResult } from '../src/domain/diff-result.js';
import { AppError } from '../src/errors/index.js';
import { sniffContainer } from '../src/sheets/container.js';
import { diffFiles, type DiffFilesOptions } from '../src/sheets/diff/diff-files.js';
import { formatFromName, readTable } from '../src/sheets/read-table.js';

const options = CompareOptionsSchema.parse({});
const tmp = mkdtempSync(join(process.env.CORPUS_TMP ?? tmpdir(), 'sd-corpus-'));
const base: DiffFilesOptions = { maxRows: 2_000_000, xlsTimeoutMs: 25_000, tmpDir: tmp };

class Wrong extends Error {}

/** Added, removed and changed rows plus changed cells: what a diff of a file with itself must not find. */
const changed = (r: DiffResult): number => r.summary.rows.added + r.summary.rows.removed + r.summary.rows.changed + r.summary.changedCells;
const counts = (r: DiffResult): string => JSON.stringify({ rows: r.summary.rows, changedCells: r.summary.changedCells, rowCounts: r.summary.rowCounts });

async function run(path: string, step: string, other: string | undefined): Promise<{ rows: number; cols: number; detail?: string }> {
  const input = { path, format: formatFromName(path) };
  if (step === 'read') {
    const t = await readTable(path, input.format, base);
    return { rows: t.rows.length, cols: t.header.length };
  }
  const t = await readTable(path, input.format, base);
  const zip = (await sniffContainer(path)) === 'zip';
  const spec = { key: [t.header[0] ?? 'A'], options };
  // only the summary is used: a change file (many changes) is removed at once
  const summarised = async (p: Promise<DiffResult>): Promise<DiffResult> => {
    const r = await p;
    await r.changes.close();
    return r;
  };
  const self = (opts: Partial<DiffFilesOptions> = {}) => summarised(diffFiles(input, input, spec, { ...base, ...opts }));
  let r: DiffResult;
  if (step === 'self') {
    r = await self();
    if (changed(r) > 0) throw new Wrong(`a file against itself: ${counts(r)}`);
    const spilled = await self({ spillBytes: Math.max(1, Math.ceil(statSync(path).size / 2)) });
    if (counts(spilled) !== counts(r)) throw new Wrong(`through spill partitions: ${counts(spilled)}, in memory: ${counts(r)}`);
    if (zip) {
      const onDisk = await self({ sharedStringsBytes: 1024 });
      if (counts(onDisk) !== counts(r)) throw new Wrong(`shared strings on disk: ${counts(onDisk)}, in memory: ${counts(r)}`);
    }
  } else if (step === 'keyless') {
    r = await summarised(diffFiles(input, input, { key: [], options }, base));
    if (changed(r) + r.summary.rows.duplicateKeys > 0) throw new Wrong(`keyless against itself: ${counts(r)}`);
  } else if (step === 'neighbour') {
    // without a key (any two readable files can be aligned), then keyed when the other file has the key column
    const o = { path: other!, format: formatFromName(other!) };
    r = await summarised(diffFiles(input, o, { key: [], options }, base));
    const ot = await readTable(o.path, o.format, base);
    if (ot.header.includes(spec.key[0]!)) r = await summarised(diffFiles(input, o, spec, base));
  } else throw new Error(`unknown step ${step}`);
  return { rows: r.summary.rowCounts.old, cols: r.columns.length, detail: `${r.summary.rows.changed} changed, ${r.summary.rows.duplicateKeys} duplicate-key rows` };
}

try {
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    const { path, step, other } = JSON.parse(line) as { path: string; step: string; other?: string };
    let reply: Record<string, unknown>;
    try {
      reply = { ok: true, ...(await run(path, step, other)) };
    } catch (err) {
      if (err instanceof Wrong) reply = { ok: false, wrong: true, message: err.message.slice(0, 300) };
      else {
        const app = err instanceof AppError && err.code !== 'internal_error';
        reply = { ok: false, code: app ? (err as AppError).code : 'generic', message: String((err as Error)?.message ?? err).slice(0, 200), generic: !app };
      }
    }
    // the next step starts from a collected heap (the sweep replaces a child that stays large)
    (globalThis as { gc?: () => void }).gc?.();
    process.stdout.write(`${JSON.stringify(reply)}\n`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
