/**
 * export-worker: finalises a paid download. The compare-worker already rendered every artefact
 * while the diff was in memory (docs/architecture.md says why); here each one is checked in
 * storage, and if any has gone missing the diff is rendered again from the kept inputs.
 */
import { ExportRequestedSchema, type ExportRequested } from '../../src/contracts/index.js';
import type { JobContext, Outcome } from '../../src/streams/index.js';
import type { WorkerDefinition, WorkerDeps } from '../shared/run-worker.js';
import { runRecordExportDuty } from './record-exports.js';
import { runRetentionReaper } from './retention.js';

export async function handleExport(_msg: ExportRequested, ctx: JobContext, deps: WorkerDeps): Promise<Outcome> {
  const job = ctx.job;
  const wanted = ['xlsx', 'csv'] as const;
  const present = await Promise.all(wanted.map(async (name) => {
    const key = job.artefacts?.[name];
    return key ? (await deps.store.head(key)) !== null : false;
  }));
  let artefacts = job.artefacts;
  let rerendered = false;
  if (present.some((ok) => !ok)) {
    ctx.log.warn({ jobId: job.id }, 'artefact missing; rendering the diff again');
    // Loaded only when needed: the diff engine and readers are no part of an export-worker's usual day.
    const { renderDiff } = await import('../compare/render-diff.js');
    ({ artefacts } = await renderDiff(job, deps, { signal: ctx.signal, progress: (pct) => ctx.progress(pct) }));
    rerendered = true;
  }
  return {
    to: 'ready',
    patch: { artefacts, progress: 100 },
    event: { type: 'export_ready', data: { formats: [...wanted], rerendered } },
  };
}

export const exportWorker: WorkerDefinition<ExportRequested> = {
  kind: 'export',
  schema: ExportRequestedSchema,
  defaultConcurrency: 2,
  route: () => ({ expect: ['paid'], running: 'exporting' }),
  handle: handleExport,
  background: async (deps, signal) => {
    await Promise.all([runRetentionReaper(deps, signal), runRecordExportDuty(deps, signal)]);
  },
};
