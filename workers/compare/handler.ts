/**
 * compare-worker: fetch both inputs → read them as tables → diff (pure) → write every artefact
 * (highlighted XLSX, long-form CSV, summary JSON, preview pages) under the job's storage folder →
 * `compared`, with the price, handing the job to the payment stage.
 */
import { CompareRequestedSchema, type CompareRequested } from '../../src/contracts/index.js';
import { priceForRows } from '../../src/domain/pricing.js';
import type { JobContext, Outcome } from '../../src/streams/index.js';
import type { WorkerDefinition, WorkerDeps } from '../shared/run-worker.js';
import { renderDiff } from './render-diff.js';

export async function handleCompare(_msg: CompareRequested, ctx: JobContext, deps: WorkerDeps): Promise<Outcome> {
  const { summary, artefacts } = await renderDiff(ctx.job, deps, {
    signal: ctx.signal,
    progress: (pct) => ctx.progress(pct),
  });
  const rows = summary.rowCounts.old + summary.rowCounts.new;
  const price = priceForRows(rows, deps.config.payment);
  return {
    to: 'compared',
    patch: { summary, rows: summary.rowCounts, price, artefacts, progress: 100 },
    event: { type: 'compared', data: { rows: summary.rows, changedCells: summary.changedCells, price } },
    next: { kind: 'payment', type: 'JobCompared' },
  };
}

export const compareWorker: WorkerDefinition<CompareRequested> = {
  kind: 'compare',
  schema: CompareRequestedSchema,
  defaultConcurrency: 1,
  route: () => ({ expect: ['queued'], running: 'comparing' }),
  handle: handleCompare,
};
