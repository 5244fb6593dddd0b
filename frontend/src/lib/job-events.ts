import type { JobEvent, JobView } from '../../../src/contracts/index.js';

/**
 * What one event of a job's stream does to the job shown: a progress event of the stage that is
 * running moves its bar; any other event means the job changed, so it is read again.
 *
 * An event never sets the status itself. The stream replays a job's whole history when the page
 * opens, and a replayed progress event of an earlier stage would otherwise take a job that is
 * awaiting payment back to `comparing` until the next read, hiding the payment panel (and the
 * link the keyboard focus was on) meanwhile.
 */
export function applyJobEvent(job: JobView | null, ev: JobEvent): { job: JobView | null; reread: boolean } {
  const p = ev.data?.progress;
  if (ev.type === 'progress' && job && typeof p === 'number') {
    // Progress of another stage: replayed history, or a stage the page has not read yet.
    if (ev.status !== undefined && ev.status !== job.status) return { job, reread: true };
    return { job: { ...job, progress: p }, reread: false };
  }
  return { job, reread: true };
}
