/**
 * The payment worker's periodic sweeps (every PAYMENT_RECONCILE_INTERVAL_MS, in every replica;
 * each step is idempotent, so replicas racing on one order change nothing twice):
 * - open orders without a notification after PAYMENT_RECONCILE_AFTER_SECONDS: query the provider
 *   (the source of truth); paid → the same path as a notification; expired (or no longer wanted)
 *   → closed at the provider and the job back to `compared`, from where a new order can be opened;
 * - paid orders: make sure their effect happened (credit, job paid) or refund a double payment;
 * - settled jobs that failed or were cancelled before delivery: refunded;
 * - balance payments interrupted between debit and job transition: finished or credited back;
 * - the refund queue: provider refunds for orders (each stays queued, re-read, retried or made
 *   again, until the provider says SUCCESS; see src/services/refunds.ts), ledger credits for
 *   balance payments.
 */
import { paymentMetrics } from '../../src/observability/metrics.js';
import type { PaymentProvider } from '../../src/payments/provider.js';
import { providerFor } from '../../src/payments/provider.js';
import { completeBalancePayment, refundBalancePayment } from '../../src/services/balance-payments.js';
import { closeJobOrder } from '../../src/services/order-closing.js';
import { applyVerifiedPayment, fulfilPaidOrder, getOrder } from '../../src/services/payment-orders.js';
import { advanceOrderRefund } from '../../src/services/refunds.js';
import { orderSettlement, parseSettlement, queueRefund, settlementOf } from '../../src/services/settlement.js';
import type { WorkerDeps } from '../shared/run-worker.js';

const BATCH = 200;

async function due(deps: WorkerDeps, key: string, before: number): Promise<string[]> {
  return deps.redis.zrangebyscore(key, '-inf', before, 'LIMIT', 0, BATCH);
}

async function sweepOpenOrders(deps: WorkerDeps, provider: PaymentProvider, now: number): Promise<void> {
  const open = deps.keys.paymentOrdersOpen();
  for (const id of await due(deps, open, now - deps.config.payment.reconcileAfterMs)) {
    const order = await getOrder(deps, id);
    if (!order || order.status !== 'open') {
      await deps.redis.zrem(open, id);
      continue;
    }
    const q = await provider.queryOrder(id);
    if (q.state === 'paid') {
      const wx = deps.config.payment.wechat;
      if (provider.name === 'wechat' && ((q.mchid && q.mchid !== wx.mchid) || (q.appid && q.appid !== wx.appid))) {
        deps.log.error({ orderId: id, q }, 'provider reports the order paid to another merchant; left for review');
        continue;
      }
      const r = await applyVerifiedPayment(deps, { orderId: id, transactionId: q.transactionId ?? '', amount: q.amount ?? -1, currency: q.currency ?? 'CNY' }, now);
      deps.log.info({ orderId: id, result: r.result }, 'reconciled a paid order without notification');
      continue;
    }
    const job = order.jobId ? await deps.jobs.get(order.jobId) : null;
    // A job still `compared` with another last order is having this one opened (the worker
    // attaches it right after creating it): wanted too, until it expires.
    const wanted =
      order.kind === 'topup' ||
      (job?.status === 'awaiting_payment' && job.payment?.orderId === id) ||
      (job?.status === 'compared' && job.payment?.orderId !== id);
    if (now < order.expiresAt && wanted) continue;
    // 'paid': the payer was faster than the close; the next pass's query applies the payment.
    const closed = await closeJobOrder(deps, provider, order, now, now >= order.expiresAt ? 'expired' : 'not_wanted');
    deps.log.info({ orderId: id, expired: now >= order.expiresAt, closed }, 'payment order closed');
  }
}

async function sweepPaidOrders(deps: WorkerDeps, now: number): Promise<void> {
  const paid = deps.keys.paymentOrdersPaid();
  for (const id of await due(deps, paid, now - deps.config.payment.reconcileAfterMs)) {
    const order = await getOrder(deps, id);
    if (!order || order.status !== 'paid') {
      await deps.redis.zrem(paid, id);
      continue;
    }
    if (order.kind === 'topup') {
      await fulfilPaidOrder(deps, order, now);
      await deps.redis.zrem(paid, id);
      continue;
    }
    const job = order.jobId ? await deps.jobs.get(order.jobId) : null;
    const settledBy = order.jobId ? await settlementOf(deps, order.jobId) : null;
    if (settledBy === orderSettlement(id) && (job?.paid || !job)) {
      await deps.redis.zrem(paid, id);
    } else if (settledBy === null && job && (job.status === 'awaiting_payment' || job.status === 'compared')) {
      await fulfilPaidOrder(deps, order, now); // the hand-over was lost: hand it over again
    } else if (settledBy !== orderSettlement(id)) {
      await queueRefund(deps, orderSettlement(id), now); // paid twice, or for a job that can no longer be delivered
      await deps.redis.zrem(paid, id);
    }
  }
}

async function sweepDelivering(deps: WorkerDeps, now: number): Promise<void> {
  const key = deps.keys.paymentsDelivering();
  for (const jobId of await due(deps, key, now)) {
    const [job, settledBy] = await Promise.all([deps.jobs.get(jobId), settlementOf(deps, jobId)]);
    if (!settledBy || job?.status === 'ready') {
      await deps.redis.zrem(key, jobId);
    } else if (!job || job.status === 'failed' || job.status === 'cancelled' || job.status === 'expired') {
      deps.log.warn({ jobId, status: job?.status, settledBy }, 'paid job was not delivered; refunding');
      await queueRefund(deps, settledBy, now);
      await deps.redis.zrem(key, jobId);
    }
  }
}

async function sweepBalancePending(deps: WorkerDeps, now: number): Promise<void> {
  const key = deps.keys.balancePaymentsPending();
  for (const member of await due(deps, key, now - deps.config.payment.reconcileAfterMs)) {
    const s = parseSettlement(member);
    if (s?.kind !== 'balance') {
      await deps.redis.zrem(key, member);
      continue;
    }
    const outcome = await completeBalancePayment({ ...deps, clock: () => now }, s.jobId, s.accountId);
    deps.log.info({ jobId: s.jobId, outcome }, 'finished an interrupted balance payment');
  }
}

const REFUND_REASON = 'sheetdiff: not delivered or paid twice';

/**
 * The refund queue (member → when to look next): an order refund advances one step per pass
 * (refunds.ts) and stays queued until it is through; a balance payment is credited back at once.
 */
async function sweepRefunds(deps: WorkerDeps, provider: PaymentProvider, now: number): Promise<void> {
  const key = deps.keys.paymentRefunds();
  const timing = { checkAfterMs: deps.config.payment.reconcileAfterMs, retryBaseMs: deps.config.payment.reconcileIntervalMs, reason: REFUND_REASON };
  for (const member of await due(deps, key, now)) {
    const s = parseSettlement(member);
    let next: number | null = null;
    try {
      if (s?.kind === 'order') next = await advanceOrderRefund(deps, provider, s.orderId, now, timing);
      else if (s?.kind === 'balance' && (await refundBalancePayment(deps, s.accountId, s.jobId, now, 'not delivered'))) {
        deps.log.warn({ jobId: s.jobId, accountId: s.accountId }, 'balance payment credited back');
      }
    } catch (err) {
      // e.g. the provider's refund query failed: look again after a while, never drop it.
      paymentMetrics.refund('error');
      deps.log.warn({ err, member }, 'refund step failed; retrying');
      next = now + timing.retryBaseMs;
    }
    if (next === null) await deps.redis.zrem(key, member);
    else await deps.redis.zadd(key, 'XX', next, member);
  }
}

/** One pass of every sweep; a failing step is logged and retried on the next pass. */
export async function sweepPayments(deps: WorkerDeps, provider: PaymentProvider, now = Date.now()): Promise<void> {
  const steps: [string, () => Promise<void>][] = [
    ['open orders', () => sweepOpenOrders(deps, provider, now)],
    ['paid orders', () => sweepPaidOrders(deps, now)],
    ['delivering', () => sweepDelivering(deps, now)],
    ['balance payments', () => sweepBalancePending(deps, now)],
    ['refunds', () => sweepRefunds(deps, provider, now)],
  ];
  for (const [name, step] of steps) {
    await step().catch((err: unknown) => deps.log.warn({ err, step: name }, 'payment sweep step failed'));
  }
}

/** The worker's background loop (stopped by `signal`). */
export async function runPaymentSweeps(deps: WorkerDeps, signal: AbortSignal): Promise<void> {
  const provider = await providerFor(deps.config);
  while (!signal.aborted) {
    await sweepPayments(deps, provider);
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, deps.config.payment.reconcileIntervalMs);
      signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
    });
  }
}
