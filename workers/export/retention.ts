/**
 * Retention: jobs past their `expiresAt` turn `expired` (the API answers 410) and their inputs
 * and artefacts are removed from storage. Runs in every export-worker; each step is idempotent,
 * so several reapers at once do no harm.
 */
import { JOB_STATUSES } from '../../src/contracts/index.js';
import { objectKeys } from '../../src/storage/keys.js';
import type { WorkerDeps } from '../shared/run-worker.js';

const EXPIRABLE = JOB_STATUSES.filter((s) => s !== 'expired');
const BATCH = 100;

/** Expires one batch of due jobs; returns how many it handled. */
export async function reapExpiredJobs(deps: WorkerDeps, now: number): Promise<number> {
  const due = await deps.redis.zrangebyscore(deps.keys.expiry(), '-inf', now, 'LIMIT', 0, BATCH);
  for (const jobId of due) {
    await deps.jobs.transition(jobId, { from: EXPIRABLE, to: 'expired', event: { type: 'expired' } });
    await deps.store.deletePrefix(objectKeys.jobPrefix(jobId));
    await deps.redis.zrem(deps.keys.expiry(), jobId);
  }
  if (due.length > 0) deps.log.info({ count: due.length }, 'expired jobs removed');
  return due.length;
}

export async function runRetentionReaper(deps: WorkerDeps, signal: AbortSignal): Promise<void> {
  const intervalMs = 60_000;
  while (!signal.aborted) {
    try {
      while ((await reapExpiredJobs(deps, Date.now())) === BATCH && !signal.aborted);
    } catch (err) {
      deps.log.warn({ err: (err as Error).message }, 'retention pass failed; trying again later');
    }
    await new Promise<void>((ok) => {
      const t = setTimeout(ok, intervalMs);
      signal.addEventListener('abort', () => { clearTimeout(t); ok(); }, { once: true });
    });
  }
}
