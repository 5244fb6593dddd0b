/**
 * Our record of every payment order (a job's download or a balance top-up) and the one path a
 * verified payment takes, whether it came from WeChat's notification, the dev page or a
 * reconciliation query: mark the order paid (a CAS, so only once), then credit the top-up
 * (ledger, exactly once per order) or hand a `PaymentNotified` message to the payment worker.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { JobStore } from '../jobs/types.js';
import { paymentMetrics } from '../observability/metrics.js';
import type { Keys } from '../redis/keys.js';
import { orderTransitionScript } from '../redis/scripts.js';
import { applyLedger } from './ledger.js';

/**
 * `open → paid → refunding → refunded`, or `open → closed` (a closed order may still turn out
 * paid: the payer was faster than the close). `refunding`: a refund was asked for and is not
 * through yet (the provider's own status is `refundStatus`).
 */
export const ORDER_STATUSES = ['open', 'paid', 'closed', 'refunding', 'refunded'] as const;

/** Our side of a refund: `REQUESTING` (decided, not yet accepted by the provider), then the provider's status. */
export const REFUND_STATUSES = ['REQUESTING', 'PROCESSING', 'SUCCESS', 'CLOSED', 'ABNORMAL'] as const;

const num = z.coerce.number().int();
/** A payment order as stored (hash `keys.paymentOrder(id)`). */
export const OrderRecordSchema = z.object({
  orderId: z.string(),
  kind: z.enum(['job', 'topup']),
  jobId: z.string().optional(),
  accountId: z.string(),
  amount: num,
  currency: z.literal('CNY').catch('CNY'),
  status: z.enum(ORDER_STATUSES),
  codeUrl: z.string().optional(),
  createdAt: num,
  expiresAt: num,
  transactionId: z.string().optional(),
  paidAt: num.optional(),
  closedAt: num.optional(),
  /** Our refund id (`out_refund_no`): `rf<orderId>`, `rf<orderId>-<n>` for the n-th attempt after a closed one. */
  refundId: z.string().optional(),
  refundAttempt: num.optional(),
  refundStatus: z.enum(REFUND_STATUSES).optional(),
  refundReason: z.string().optional(),
  refundRequestedAt: num.optional(),
  /** Last time the provider's refund status was read (answer, query or notification). */
  refundCheckedAt: num.optional(),
  /** When the money went back (the provider's success time). */
  refundedAt: num.optional(),
  /** The provider's id of the refund (WeChat `refund_id`). */
  providerRefundId: z.string().optional(),
  /** The last failed refund request, and how many failed in a row (backoff). */
  refundError: z.string().optional(),
  refundFailures: num.optional(),
});
export type OrderRecord = z.infer<typeof OrderRecordSchema>;

export interface OrderDeps {
  redis: Redis;
  keys: Keys;
  jobs: JobStore;
}

/**
 * Writes the order unless it exists (every field HSETNX, so a retried create keeps the first
 * expiry and amount) and indexes it as open. Returns the stored record.
 */
export async function saveOrder(deps: OrderDeps, o: Omit<OrderRecord, 'status' | 'currency'>): Promise<OrderRecord> {
  const key = deps.keys.paymentOrder(o.orderId);
  const multi = deps.redis.multi();
  const fields: Record<string, string | number | undefined> = { ...o, currency: 'CNY', status: 'open' };
  for (const [f, v] of Object.entries(fields)) if (v !== undefined) multi.hsetnx(key, f, String(v));
  multi.zadd(deps.keys.paymentOrdersOpen(), 'NX', o.createdAt, o.orderId);
  const replies = await multi.exec();
  // The first HSETNX wrote a field only if the order is new.
  if (replies?.[0]?.[1] === 1) paymentMetrics.orderState('created');
  const saved = await getOrder(deps, o.orderId);
  if (!saved) throw new Error(`order ${o.orderId} vanished right after it was written`);
  return saved;
}

export async function getOrder(deps: Pick<OrderDeps, 'redis' | 'keys'>, orderId: string): Promise<OrderRecord | null> {
  const h = await deps.redis.hgetall(deps.keys.paymentOrder(orderId));
  if (!h.orderId) return null;
  const parsed = OrderRecordSchema.safeParse(h);
  return parsed.success ? parsed.data : null;
}

/** Stores the code URL once the provider answered (only while the order is open). */
export async function setOrderCodeUrl(deps: Pick<OrderDeps, 'redis' | 'keys'>, orderId: string, codeUrl: string, now: number): Promise<void> {
  await markOrder(deps, orderId, ['open'], 'open', now, { codeUrl });
}

/** CAS of the order status (with its index moves); true when applied. */
export function markOrder(
  deps: Pick<OrderDeps, 'redis' | 'keys'>,
  orderId: string,
  from: readonly OrderRecord['status'][],
  to: OrderRecord['status'],
  now: number,
  fields: Record<string, string | number> = {},
): Promise<boolean> {
  const k = { order: deps.keys.paymentOrder(orderId), open: deps.keys.paymentOrdersOpen(), paid: deps.keys.paymentOrdersPaid() };
  return orderTransitionScript(deps.redis, k, { from, to, now, fields }).then((ok) => {
    if (ok && !from.includes(to)) paymentMetrics.orderState(to);
    return ok;
  });
}

export interface VerifiedPayment {
  orderId: string;
  transactionId: string;
  amount: number;
  currency: string;
}

export type ApplyResult =
  | { result: 'applied' | 'duplicate'; order: OrderRecord }
  | { result: 'unknown_order' | 'mismatch'; reason: string };

/**
 * Applies a payment the provider confirmed. Checks our order (exists, amount and currency equal)
 * before anything changes; then marks it paid once. Only the call that marked it paid credits the
 * top-up or publishes to the payment worker; a crash in between is repaired by the worker's sweep
 * of paid orders (reconcile.ts), so duplicates never fulfil twice.
 */
export async function applyVerifiedPayment(deps: OrderDeps, p: VerifiedPayment, now: number): Promise<ApplyResult> {
  const order = await getOrder(deps, p.orderId);
  if (!order) return { result: 'unknown_order', reason: `no order ${p.orderId}` };
  if (p.amount !== order.amount || p.currency !== order.currency) {
    return { result: 'mismatch', reason: `paid ${p.amount} ${p.currency}, order is ${order.amount} ${order.currency}` };
  }
  const marked = await markOrder(deps, p.orderId, ['open', 'closed'], 'paid', now, { transactionId: p.transactionId, paidAt: now });
  if (!marked) return { result: 'duplicate', order };
  await fulfilPaidOrder(deps, { ...order, status: 'paid', transactionId: p.transactionId, paidAt: now }, now);
  return { result: 'applied', order };
}

/** The effect of a paid order: credit a top-up once, or hand the payment to the payment worker. Safe to repeat. */
export async function fulfilPaidOrder(deps: OrderDeps, order: OrderRecord, now: number): Promise<void> {
  if (order.kind === 'topup') {
    await applyLedger(deps, { accountId: order.accountId, key: `topup:${order.orderId}`, delta: order.amount, kind: 'topup', ref: order.orderId, now });
    return;
  }
  if (!order.jobId) return;
  await deps.jobs.publish(order.jobId, {
    kind: 'payment',
    type: 'PaymentNotified',
    payload: { orderId: order.orderId, transactionId: order.transactionId ?? '', amount: order.amount },
  });
}
