/**
 * Refunds of order payments, every step on record in the order (refund id, our and the
 * provider's status, request, check and success times, the last error).
 *
 * `paid → refunding` (refundStatus REQUESTING: decided, written before the provider is called,
 * so a crash in between re-sends the same refund id) → the provider's answer PROCESSING →
 * SUCCESS (`refunded`, the job's history gets `refunded`). A refund the provider CLOSED is made
 * again under a new id (`rf<orderId>-<n>`); an ABNORMAL one (the money could not be paid back)
 * stays `refunding`, is noted `refund_failed` in the job's history, counted and re-read until an
 * operator resolved it. A refund request that fails is retried with backoff. The refund queue
 * keeps the order until it is `refunded`: nothing is dropped.
 */
import type { Logger } from '../lib/logger.js';
import { paymentMetrics } from '../observability/metrics.js';
import type { PaymentProvider, ProviderRefund } from '../payments/provider.js';
import { noteJobEvent } from './job-notes.js';
import { getOrder, markOrder, type OrderDeps, type OrderRecord } from './payment-orders.js';
import { orderSettlement } from './settlement.js';

/** Our refund id for an order's n-th refund attempt (WeChat `out_refund_no`: ≤ 64 of [A-Za-z0-9_-]). */
export function refundIdFor(orderId: string, attempt = 1): string {
  return attempt === 1 ? `rf${orderId}` : `rf${orderId}-${attempt}`;
}

export interface RefundDeps extends OrderDeps {
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
}

export interface RefundTiming {
  /** How long to wait before asking the provider again about a refund in progress. */
  checkAfterMs: number;
  /** First delay after a failed request (doubles per failure, at most an hour). */
  retryBaseMs: number;
}

/** An ABNORMAL refund waits for an operator: re-read at this pace, not every pass. */
const ABNORMAL_RECHECK_MS = 15 * 60_000;
const MAX_RETRY_DELAY_MS = 3_600_000;

const retryDelay = (t: RefundTiming, failures: number) => Math.min(t.retryBaseMs * 2 ** Math.min(failures - 1, 20), MAX_RETRY_DELAY_MS);

/** The event data of an order refund (what the job's history shows). */
const refundEventData = (o: OrderRecord) => ({ method: 'order', orderId: o.orderId, refundId: o.refundId, amount: o.amount, currency: 'CNY' });

/** Notes a finished order refund in the job's history (once per refund id). */
async function noteRefunded(deps: RefundDeps, o: OrderRecord, now: number): Promise<void> {
  if (o.jobId && o.refundId) await noteJobEvent(deps, o.jobId, { marker: `refunded:${o.refundId}`, type: 'refunded', now, data: refundEventData(o) });
}

/**
 * Records what the provider says about the order's current refund (an answer, a query or a
 * notification). Returns when to look at it again, or null once it is `refunded`.
 */
export async function recordRefund(deps: RefundDeps, order: OrderRecord, r: ProviderRefund, now: number, t: RefundTiming): Promise<number | null> {
  if (r.status === 'missing' || r.refundId !== order.refundId) return now + t.checkAfterMs;
  const fields: Record<string, string | number> = { refundStatus: r.status, refundCheckedAt: now, refundFailures: 0 };
  if (r.providerRefundId) fields.providerRefundId = r.providerRefundId;
  if (r.status === 'SUCCESS') {
    const refundedAt = r.successAt ?? now;
    if (await markOrder(deps, order.orderId, ['refunding'], 'refunded', now, { ...fields, refundedAt })) {
      paymentMetrics.refund('succeeded');
      deps.log.info({ orderId: order.orderId, jobId: order.jobId, refundId: r.refundId }, 'refund succeeded');
    }
    await noteRefunded(deps, { ...order, status: 'refunded', refundedAt }, now);
    return null;
  }
  if (!(await markOrder(deps, order.orderId, ['refunding'], 'refunding', now, fields))) return now;
  if (r.status !== order.refundStatus && (r.status === 'CLOSED' || r.status === 'ABNORMAL')) {
    paymentMetrics.refund(r.status.toLowerCase());
    deps.log.error({ orderId: order.orderId, jobId: order.jobId, refundId: r.refundId, status: r.status }, 'refund did not go through');
    if (r.status === 'ABNORMAL' && order.jobId) {
      await noteJobEvent(deps, order.jobId, {
        marker: `refund_failed:${r.refundId}`,
        type: 'refund_failed',
        now,
        data: { ...refundEventData(order), status: r.status, reason: 'the payment could not be paid back; it is being resolved' },
      });
    }
  }
  if (r.status === 'CLOSED') return now; // made again under a new refund id on the next pass
  return now + (r.status === 'ABNORMAL' ? Math.max(ABNORMAL_RECHECK_MS, t.checkAfterMs) : t.checkAfterMs);
}

/** Sends the order's current refund (idempotent per refund id) and records the answer or the failure. */
async function requestRefund(deps: RefundDeps, provider: PaymentProvider, order: OrderRecord, now: number, t: RefundTiming): Promise<number | null> {
  const refundId = order.refundId!;
  let answer: ProviderRefund;
  try {
    answer = await provider.refund({ orderId: order.orderId, refundId, amount: order.amount, total: order.amount, reason: order.refundReason ?? 'sheetdiff refund' });
  } catch (err) {
    const failures = (order.refundFailures ?? 0) + 1;
    const message = (err as Error).message.slice(0, 300);
    await markOrder(deps, order.orderId, ['refunding'], 'refunding', now, { refundError: message, refundFailures: failures });
    paymentMetrics.refund('error');
    deps.log.warn({ orderId: order.orderId, refundId, failures, err: message }, 'refund request failed; retrying later');
    return now + retryDelay(t, failures);
  }
  paymentMetrics.refund('requested');
  deps.log.warn({ orderId: order.orderId, jobId: order.jobId, refundId, status: answer.status }, 'payment refund requested');
  return recordRefund(deps, order, answer, now, t);
}

/**
 * One step of the refund of `orderId`: start it, send it again, read its state, or make it again
 * after the provider closed it. Returns when to look again, or null when there is nothing more
 * to do (refunded, or nothing was paid).
 */
export async function advanceOrderRefund(
  deps: RefundDeps,
  provider: PaymentProvider,
  orderId: string,
  now: number,
  t: RefundTiming & { reason?: string },
): Promise<number | null> {
  const order = await getOrder(deps, orderId);
  if (!order || order.status === 'open' || order.status === 'closed') {
    deps.log.error({ orderId, status: order?.status }, 'refund asked for an order that was not paid; dropped');
    return null;
  }
  if (order.status === 'refunded') {
    await noteRefunded(deps, order, now); // a crash after marking it refunded: the note is made now
    return null;
  }
  if (order.status === 'paid' || order.refundStatus === 'CLOSED') {
    const attempt = order.status === 'paid' ? 1 : (order.refundAttempt ?? 1) + 1;
    const fields = { refundId: refundIdFor(orderId, attempt), refundAttempt: attempt, refundStatus: 'REQUESTING', refundRequestedAt: now, refundReason: t.reason ?? order.refundReason ?? 'sheetdiff refund' };
    if (!(await markOrder(deps, orderId, [order.status], 'refunding', now, fields))) return now; // raced: look again
    return requestRefund(deps, provider, { ...order, ...fields, status: 'refunding', refundStatus: 'REQUESTING' }, now, t);
  }
  if (order.refundStatus === 'REQUESTING' || !order.refundId) return requestRefund(deps, provider, order, now, t);
  const q = await provider.queryRefund(order.refundId);
  if (q.status === 'missing') return requestRefund(deps, provider, order, now, t); // the request never reached the provider
  return recordRefund(deps, order, q, now, t);
}

/** Moves a queued refund to `at` (only when it is still queued). */
export async function rescheduleRefund(deps: Pick<OrderDeps, 'redis' | 'keys'>, orderId: string, at: number): Promise<void> {
  await deps.redis.zadd(deps.keys.paymentRefunds(), 'XX', at, orderSettlement(orderId));
}
