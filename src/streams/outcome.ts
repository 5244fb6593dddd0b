/**
 * Turns what a handler did (an outcome, `null`, or a thrown error) into a finish.lua item:
 * complete, fail (terminal, or dead letter after the last attempt), retry with backoff, release.
 */
import { TERMINAL_STATUSES } from '../contracts/index.js';
import { describeError, isRetryable } from '../errors/index.js';
import { backoffDelay } from '../jobs/backoff.js';
import { makeEnvelope } from '../jobs/envelope.js';
import { encodePatch } from '../jobs/hash.js';
import type { Keys } from '../redis/keys.js';
import { streamKeys, type FinishItem, type JobKeys } from '../redis/scripts.js';
import type { Outcome, Route } from './types.js';

/** The parts of a running job an outcome needs. */
export interface RunRef {
  entryId: string;
  jobId: string;
  token: string;
  attempt: number;
  /** The entry's raw data (kept for retries and hand-backs). */
  data: string;
  traceparent?: string;
  route: Route;
  keys: JobKeys;
}

const from = (r: RunRef): readonly string[] => (r.route.running ? [r.route.running] : r.route.expect);

/** Where a retried or handed-back job goes: the stage's input status ('' = unchanged). */
const backTo = (r: RunRef): string => (r.route.running ? (r.route.expect[0] ?? '') : '');

/** complete: the handler's transition, or (for `null`) an ack that keeps the job where it was. */
export function completeItem(r: RunRef, o: Outcome | null, keys: Keys): FinishItem {
  if (o === null) {
    // Nothing to change; a stage that showed a running status goes back, and says so.
    const to = backTo(r);
    const eventType = to === '' ? '' : 'no_change';
    return { keys: r.keys, entryId: r.entryId, jobId: r.jobId, token: r.token, from: from(r), op: 'complete', to, patch: [], eventType, eventData: '', data: '', arg: '' };
  }
  const next = o.next ? streamKeys(keys, o.next.kind) : undefined;
  const data = o.next
    ? JSON.stringify(makeEnvelope({ type: o.next.type, jobId: r.jobId, payload: o.next.payload, traceparent: r.traceparent }))
    : '';
  // Plain literals, no spreads: this runs once per job on the hot path.
  return {
    keys: r.keys, entryId: r.entryId, jobId: r.jobId, token: r.token, from: from(r),
    op: 'complete',
    to: o.to,
    patch: encodePatch(o.patch),
    eventType: o.event.type,
    eventData: o.event.data ? JSON.stringify(o.event.data) : '',
    next,
    data,
    arg: TERMINAL_STATUSES.includes(o.to) ? '1' : '',
  };
}

/** fail or retry, by the error policy: terminal errors fail at once, others retry until the last attempt. */
export function failureItem(
  r: RunRef,
  err: unknown,
  policy: { maxAttempts: number; retryBaseMs: number; retryMaxMs: number; now: number; random?: () => number },
): FinishItem {
  const reason = describeError(err);
  if (!isRetryable(err) || r.attempt >= policy.maxAttempts) {
    const final = isRetryable(err)
      ? { code: reason.code, message: `${reason.message} (gave up after ${r.attempt} attempts)` }
      : reason;
    const json = JSON.stringify(final);
    return {
      keys: r.keys, entryId: r.entryId, jobId: r.jobId, token: r.token, from: from(r),
      op: 'fail',
      to: 'failed',
      patch: ['error', json],
      eventType: 'failed',
      eventData: json,
      data: r.data,
      arg: isRetryable(err) ? '1' : '',
    };
  }
  const delayMs = backoffDelay(r.attempt - 1, policy.retryBaseMs, policy.retryMaxMs, policy.random);
  return {
    keys: r.keys, entryId: r.entryId, jobId: r.jobId, token: r.token, from: from(r),
    op: 'retry',
    to: backTo(r),
    patch: [],
    eventType: 'retry_scheduled',
    eventData: JSON.stringify({ attempt: r.attempt, delayMs, error: reason }),
    data: r.data,
    arg: String(policy.now + delayMs),
  };
}

/** release: hand a job back (graceful shutdown) so another worker restarts it at once. */
export function releaseItem(r: RunRef, reason: string): FinishItem {
  return {
    keys: r.keys, entryId: r.entryId, jobId: r.jobId, token: r.token, from: from(r),
    op: 'release',
    to: backTo(r),
    patch: [],
    eventType: 'requeued',
    eventData: JSON.stringify({ reason }),
    data: r.data,
    arg: '',
  };
}
