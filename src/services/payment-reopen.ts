/**
 * `POST /compare/jobs/{id}/payment`: a payment order for a job again, e.g. a new QR code after
 * the first one expired (contract: src/contracts/job-payment.ts).
 *
 * A new order goes the way the first one went: a `JobCompared` message on the payment stream,
 * naming the order it asks for (`…r<n>`, the next attempt after the job's last order). The
 * payment worker opens exactly that order, so repeated or concurrent requests open one order,
 * and a late message after the job moved on opens none.
 */
import type { JobView } from '../contracts/index.js';
import { ERRORS } from '../errors/index.js';
import { providerFor } from '../payments/provider.js';
import { getOwnedJob } from './comparisons.js';
import type { Caller, ServiceDeps } from './deps.js';
import { fingerprintOf, runIdempotent, type IdempotentResult } from './idempotency.js';
import { toJobView } from './job-view.js';
import { closeJobOrder } from './order-closing.js';
import { getOrder } from './payment-orders.js';
import { orderAttempt, orderIdForJob } from './payments.js';
import { settlementOf } from './settlement.js';

const PAID = new Set(['paid', 'exporting', 'ready']);

/** Checks the job can be paid for at all; throws the contract's 409/410 otherwise. */
function assertPayable(job: Awaited<ReturnType<typeof getOwnedJob>>): void {
  const jobStatus = job.status;
  if (jobStatus === 'cancelled') throw ERRORS.gone(`job ${job.id} was cancelled`, { jobStatus });
  if (job.paid || PAID.has(jobStatus)) throw ERRORS.conflict(`job ${job.id} is already paid`, { jobStatus });
  if (jobStatus === 'failed') throw ERRORS.invalidState(`job ${job.id} failed; there is nothing to pay`, { jobStatus });
  if (jobStatus === 'queued' || jobStatus === 'comparing') {
    throw ERRORS.invalidState(`job ${job.id} is not compared yet; its price is not known`, { jobStatus, retryAfterSeconds: 2 });
  }
  if ((job.price ?? 0) <= 0) throw ERRORS.invalidState(`job ${job.id} is free; there is nothing to pay`, { jobStatus });
}

/**
 * Returns the job as it stands after the request: the open order left alone, or an expired one
 * closed and the next one queued.
 */
export async function requestJobPayment(deps: ServiceDeps, caller: Caller, id: string): Promise<JobView> {
  let job = await getOwnedJob(deps, caller, id);
  assertPayable(job);
  const now = deps.clock();
  if (job.status === 'awaiting_payment') {
    if (!job.payment) return toJobView(job);
    const recorded = await getOrder(deps, job.payment.orderId);
    const order = recorded ?? { orderId: job.payment.orderId, jobId: job.id, status: 'open' as const, expiresAt: job.payment.expiresAt };
    // Still payable, or paid and being applied: nothing to do.
    if (order.status === 'open' && order.expiresAt > now) return toJobView(job);
    if (order.status !== 'open' && order.status !== 'closed') return toJobView(job);
    const provider = await providerFor(deps.config);
    if ((await closeJobOrder(deps, provider, order, now, 'expired')) === 'paid') return toJobView(job);
    job = (await deps.jobs.get(id)) ?? job;
    if (job.status !== 'compared') return toJobView(job);
  }
  // A payment claimed the job already (paid through the last order, or from the balance): it is
  // about to become `paid`, so no new order.
  if (await settlementOf(deps, job.id)) return toJobView(job);
  const last = job.payment ? await getOrder(deps, job.payment.orderId) : null;
  if (last?.status === 'paid') return toJobView(job);
  const orderId = orderIdForJob(job.id, job.payment ? orderAttempt(job.payment.orderId) + 1 : 1);
  await deps.jobs.publish(job.id, { kind: 'payment', type: 'JobCompared', payload: { orderId } });
  deps.log.info({ jobId: job.id, orderId }, 'payment order requested again');
  return toJobView(job);
}

/** The route's use-case with `Idempotency-Key` support: 202 and the job view. */
export async function reopenPayment(
  deps: ServiceDeps,
  req: { caller: Caller; id: string; idempotencyKey?: string | undefined },
): Promise<IdempotentResult> {
  const idem = { redis: deps.redis, keys: deps.keys, ttlSeconds: deps.config.http.idempotencyTtlSeconds };
  const scope = { ownerId: req.caller.accountId, key: req.idempotencyKey, operation: `POST /compare/jobs/${req.id}/payment` };
  const fingerprint = fingerprintOf({ id: req.id });
  return runIdempotent(idem, scope, {
    fingerprintOnly: async () => fingerprint,
    execute: async () => ({ fingerprint, response: { status: 202, body: await requestJobPayment(deps, req.caller, req.id) } }),
  });
}
