/**
 * Payment order ids and the hand-over of a payment notification to the payment worker.
 *
 * Order ids derive from job ids so a retried "create order" never opens a second order, and a
 * notification (dev page or WeChat) leads back to its job without an extra lookup table.
 * Scheme: `sd` + jobId (22 base64url chars), plus `r<n>` for the n-th re-opened order (n ≥ 2).
 * That is 24–30 characters of `[A-Za-z0-9_-]`, which WeChat Pay accepts as `out_trade_no`
 * (6–32 characters of letters, digits, `_`, `-`, `*`).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ERRORS } from '../errors/index.js';
import type { JobStore } from '../jobs/types.js';
import type { Keys } from '../redis/keys.js';
import { applyVerifiedPayment, getOrder } from './payment-orders.js';
import type { Caller, ServiceDeps } from './deps.js';
import { fingerprintOf, runIdempotent, type IdempotentResult } from './idempotency.js';
import { isJobId } from './job-ids.js';

const ORDER_ID = /^sd([A-Za-z0-9_-]{22})(?:r([1-9][0-9]{0,4}))?$/;

/** The payment order id of a job; `attempt` > 1 names a re-opened order after expiry. */
export function orderIdForJob(jobId: string, attempt = 1): string {
  if (!isJobId(jobId)) throw ERRORS.validation(`not a job id: ${jobId}`);
  if (!Number.isInteger(attempt) || attempt < 1 || attempt > 99_999) throw ERRORS.validation(`bad order attempt ${attempt}`);
  return attempt === 1 ? `sd${jobId}` : `sd${jobId}r${attempt}`;
}

/** The job an order id belongs to, or null when `orderId` is not one of ours. */
export function jobIdForOrder(orderId: string): string | null {
  const m = ORDER_ID.exec(orderId);
  return m?.[1] ?? null;
}

/** 1 for `sd<job>`, n for `sd<job>r<n>` (the order re-opened for the n-th time). */
export function orderAttempt(orderId: string): number {
  const m = ORDER_ID.exec(orderId);
  return m?.[2] ? Number(m[2]) : 1;
}

/**
 * A top-up order id: `tu` + 22 base64url characters, derived from the account and the client's
 * idempotency key (so a retried top-up opens the same order) or random without a key.
 */
export function topUpOrderId(accountId: string, idempotencyKey?: string): string {
  const tail = idempotencyKey
    ? createHash('sha256').update(`${accountId}\n${idempotencyKey}`).digest('base64url').slice(0, 22)
    : randomBytes(16).toString('base64url');
  return `tu${tail}`;
}

export interface DevPaymentResult {
  orderId: string;
  jobId: string;
  amount: number;
  transactionId: string;
}

interface DevOrderView {
  orderId: string;
  jobId: string;
  amount: number;
  paid: boolean;
  /** Closed unpaid (expired): like a WeChat QR code then, it can no longer be paid. */
  closed: boolean;
  expiresAt: number;
  /** False for orders opened before order records existed (the job's payment field only). */
  recorded: boolean;
}

/** What the dev payment page shows for an order (a job's or a top-up); 404 when the order is unknown. */
export async function getDevOrder(deps: { jobs: JobStore; redis: Redis; keys: Keys }, orderId: string): Promise<DevOrderView> {
  const order = await getOrder(deps, orderId);
  if (order) {
    const closed = order.status === 'closed';
    return { orderId, jobId: order.jobId ?? '', amount: order.amount, paid: order.status !== 'open' && !closed, closed, expiresAt: order.expiresAt, recorded: true };
  }
  const jobId = jobIdForOrder(orderId);
  const job = jobId ? await deps.jobs.get(jobId) : null;
  if (!job?.payment || job.payment.orderId !== orderId) throw ERRORS.notFound('payment order', orderId);
  return { orderId, jobId: job.id, amount: job.payment.amount, paid: job.paid, closed: false, expiresAt: job.payment.expiresAt, recorded: false };
}

/**
 * Marks a dev order paid through the path a verified WeChat notification takes
 * (`applyVerifiedPayment`: order marked paid once, then the top-up credited or a
 * `PaymentNotified` message handed to the payment worker). Repeating it is harmless.
 */
export async function notifyDevPayment(deps: { jobs: JobStore; redis: Redis; keys: Keys; clock?: () => number }, orderId: string): Promise<DevPaymentResult> {
  const order = await getDevOrder(deps, orderId);
  if (order.closed) throw ERRORS.invalidState(`order ${orderId} was closed (expired); ask for a new payment code`, { orderStatus: 'closed' });
  // Deterministic per order: the worker sees a repeated click as the same transaction.
  const transactionId = `dev-${orderId}`;
  if (order.recorded) {
    await applyVerifiedPayment(deps, { orderId, transactionId, amount: order.amount, currency: 'CNY' }, (deps.clock ?? Date.now)());
  } else if (!order.paid) {
    await deps.jobs.publish(order.jobId, {
      kind: 'payment',
      type: 'PaymentNotified',
      payload: { orderId, transactionId, amount: order.amount },
    });
  }
  return { orderId, jobId: order.jobId, amount: order.amount, transactionId };
}

/** POST /dev/pay/{orderId} with Idempotency-Key support: 202 `{orderId, jobId, amount, transactionId, status}`. */
export async function payDevOrder(
  deps: ServiceDeps,
  req: { caller: Caller; orderId: string; idempotencyKey?: string | undefined },
): Promise<IdempotentResult> {
  const idem = { redis: deps.redis, keys: deps.keys, ttlSeconds: deps.config.http.idempotencyTtlSeconds };
  const scope = { ownerId: req.caller.accountId, key: req.idempotencyKey, operation: `POST /dev/pay/${req.orderId}` };
  const fingerprint = fingerprintOf({ orderId: req.orderId });
  return runIdempotent(idem, scope, {
    fingerprintOnly: async () => fingerprint,
    execute: async () => {
      const paid = await notifyDevPayment(deps, req.orderId);
      return { fingerprint, response: { status: 202, body: { ...paid, status: 'payment_sent' } } };
    },
  });
}
