/**
 * The compare pipeline shared by compare-worker (first run) and export-worker (re-render when an
 * artefact has gone missing): inputs from storage → tables → diff → artefacts in storage.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { randomUUID } from 'node:crypto';
import type { DiffSummary } from '../../src/contracts/index.js';
import type { DiffResult } from '../../src/domain/diff-result.js';
import type { JobRecord } from '../../src/jobs/types.js';
import { diffFiles } from '../../src/sheets/diff/diff-files.js';
import { writeDiffCsv } from '../../src/sheets/write-diff-csv.js';
import { writeDiffXlsx } from '../../src/sheets/write-diff-xlsx.js';
import { objectKeys, type ArtefactName } from '../../src/storage/keys.js';
import type { WorkerDeps } from '../shared/run-worker.js';
import { writePreviewPages } from './preview-pages.js';

export interface RenderOptions {
  signal: AbortSignal;
  progress: (pct: number) => Promise<void>;
}

export async function renderDiff(
  job: JobRecord,
  deps: WorkerDeps,
  opts: RenderOptions,
): Promise<{ summary: DiffSummary; artefacts: Record<ArtefactName, string> }> {
  const dir = join(deps.config.storage.dataDir, 'tmp', `${job.id}-${randomUUID().slice(0, 8)}`);
  await mkdir(dir, { recursive: true });
  try {
    const [oldPath, newPath] = await Promise.all([
      download(deps, job.files.old.storageKey, join(dir, `old.${job.files.old.format}`), opts.signal),
      download(deps, job.files.new.storageKey, join(dir, `new.${job.files.new.format}`), opts.signal),
    ]);
    await opts.progress(10);
    await opts.progress(20);
    const result = await diffFiles(
      { path: oldPath, format: job.files.old.format },
      { path: newPath, format: job.files.new.format },
      { key: job.key, options: job.options },
      {
        // sheets and header rows come from job.options (see sideReadOptions)
        maxRows: deps.config.diff.maxRowsPerFile,
        signal: opts.signal,
        spillBytes: deps.config.diff.spillBytes,
        sharedStringsBytes: deps.config.diff.sharedStringsBytes,
        changesBytes: deps.config.diff.changesBytes,
        tmpDir: dir,
      },
    );
    try {
      return await writeArtefacts(job, deps, opts, dir, result);
    } finally {
      // the change file, when the changes passed DIFF_CHANGES_MB (the directory goes below too)
      await result.changes.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function writeArtefacts(
  job: JobRecord,
  deps: WorkerDeps,
  opts: RenderOptions,
  dir: string,
  result: DiffResult,
): Promise<{ summary: DiffSummary; artefacts: Record<ArtefactName, string> }> {
  await opts.progress(70);

  const meta = { oldName: job.files.old.name, newName: job.files.new.name, options: job.options, key: result.summary.key };
  const xlsxPath = join(dir, 'diff.xlsx');
  const csvPath = join(dir, 'diff.csv');
  await writeDiffXlsx(result, meta, createWriteStream(xlsxPath));
  await writeDiffCsv(result, createWriteStream(csvPath));
  await opts.progress(90);

  const artefacts = {
    xlsx: objectKeys.artefact(job.id, 'xlsx'),
    csv: objectKeys.artefact(job.id, 'csv'),
    summary: objectKeys.artefact(job.id, 'summary'),
    preview: objectKeys.artefact(job.id, 'preview'),
  };
  const json = (v: unknown) => Buffer.from(JSON.stringify(v));
  await Promise.all([
    deps.store.put(artefacts.xlsx, createReadStream(xlsxPath), {
      contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      signal: opts.signal,
    }),
    deps.store.put(artefacts.csv, createReadStream(csvPath), { contentType: 'text/csv; charset=utf-8', signal: opts.signal }),
    deps.store.put(artefacts.summary, json(result.summary), { contentType: 'application/json' }),
    // Every change, page by page; page 0 is the `preview` artefact.
    writePreviewPages(deps.store, job.id, result, { signal: opts.signal }),
  ]);
  return { summary: result.summary, artefacts };
}

async function download(deps: WorkerDeps, key: string, path: string, signal: AbortSignal): Promise<string> {
  await pipeline(await deps.store.get(key), createWriteStream(path), { signal });
  return path;
}
