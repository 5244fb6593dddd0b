/**
 * payment-worker: the payment state machine of a compare job.
 * - `JobCompared`: price 0 → `paid` at once (payment skipped) and on to export; else open an order
 *   (the order id derives from the job id and the attempt, and our order record is written first
 *   with its expiry, so a retry re-sends the identical order and never opens a second one) →
 *   `awaiting_payment`. After an expired order was closed, the next one is `…r2`, `…r3`, opened
 *   when the payer asks again (POST /compare/jobs/{id}/payment names the order in the message).
 * - `PaymentNotified` (a verified payment handed over by the API or the reconciler): the order
 *   must be ours, paid and of the job's amount; the job's settlement is claimed once → `paid` and
 *   on to export. A payment that loses the settlement (paid twice) is queued for a refund.
 * Background sweeps (sweeps.ts): reconcile, close expired orders, refund undelivered jobs.
 */
import { PaymentMessageSchema, type PaymentMessage } from '../../src/contracts/index.js';
import { providerFor } from '../../src/payments/provider.js';
import { getOrder, saveOrder, setOrderCodeUrl } from '../../src/services/payment-orders.js';
import { jobIdForOrder, orderAttempt, orderIdForJob } from '../../src/services/payments.js';
import { claimSettlement, markDelivering, orderSettlement, queueRefund } from '../../src/services/settlement.js';
import type { JobContext, Outcome } from '../../src/streams/index.js';
import type { WorkerDefinition, WorkerDeps } from '../shared/run-worker.js';
import { runPaymentSweeps } from './sweeps.js';

async function openOrder(ctx: JobContext, deps: WorkerDeps, amount: number, asked: string | undefined): Promise<Outcome | null> {
  const job = ctx.job;
  let attempt = job.payment ? orderAttempt(job.payment.orderId) + 1 : 1;
  let orderId = orderIdForJob(job.id, attempt);
  if (asked !== undefined && asked !== orderId) {
    // A re-open request for an order the job is past (it was opened and closed since): stale.
    ctx.log.info({ asked, next: orderId }, 'request for another payment order than the next one; ignored');
    return null;
  }
  const now = Date.now();
  // A retry finds its own order open and re-sends it. An order opened by a run that died before
  // attaching it, and closed or expired since, cannot be shown again: take the next attempt. One
  // that was paid meanwhile settles the job through its own hand-over.
  for (let existing = await getOrder(deps, orderId); existing && !(existing.status === 'open' && existing.expiresAt > now); existing = await getOrder(deps, orderId)) {
    if (existing.status !== 'closed' && existing.status !== 'open') {
      ctx.log.info({ orderId, status: existing.status }, 'the order for this attempt was paid; its payment settles the job');
      return null;
    }
    orderId = orderIdForJob(job.id, ++attempt);
  }
  const order = await saveOrder(deps, {
    orderId,
    kind: 'job',
    jobId: job.id,
    accountId: job.ownerId,
    amount,
    createdAt: now,
    expiresAt: now + deps.config.payment.orderTtlMs,
  });
  let codeUrl = order.codeUrl;
  if (!codeUrl) {
    const provider = await providerFor(deps.config);
    ({ codeUrl } = await provider.createOrder({ orderId, amount: order.amount, description: `sheetdiff diff download ${job.id}`, expiresAt: order.expiresAt }));
    await setOrderCodeUrl(deps, orderId, codeUrl, now);
  }
  return {
    to: 'awaiting_payment',
    patch: { payment: { orderId, amount: order.amount, codeUrl, expiresAt: order.expiresAt } },
    event: { type: 'payment_order_created', data: { orderId, amount: order.amount, currency: 'CNY', expiresAt: new Date(order.expiresAt).toISOString() } },
  };
}

export async function handlePayment(msg: PaymentMessage, ctx: JobContext, deps: WorkerDeps): Promise<Outcome | null> {
  const job = ctx.job;
  if (msg.type === 'JobCompared') {
    const amount = job.price ?? 0;
    if (amount === 0) {
      return { to: 'paid', patch: { paid: true }, event: { type: 'payment_skipped', data: { reason: 'free' } }, next: { kind: 'export', type: 'ExportRequested' } };
    }
    return openOrder(ctx, deps, amount, msg.payload.orderId);
  }
  const { orderId, transactionId, amount } = msg.payload;
  const order = await getOrder(deps, orderId);
  const matches = order
    ? order.status === 'paid' && order.jobId === job.id && order.amount === amount
    : job.payment?.orderId === orderId && job.payment.amount === amount; // orders opened before order records
  if (!matches || jobIdForOrder(orderId) !== job.id || (job.price !== undefined && job.price !== amount)) {
    ctx.log.warn({ orderId, amount, order, expected: job.payment }, 'payment notification does not match the order; ignored');
    return null;
  }
  const now = Date.now();
  const claim = await claimSettlement(deps, job.id, orderSettlement(orderId));
  if (claim.outcome === 'other') {
    ctx.log.warn({ orderId, settledBy: claim.by }, 'job already settled by another payment; refunding this one');
    await queueRefund(deps, orderSettlement(orderId), now);
    return null;
  }
  await markDelivering(deps, job.id, now);
  return {
    to: 'paid',
    patch: { paid: true },
    event: { type: 'paid', data: { method: 'order', orderId, transactionId, amount } },
    next: { kind: 'export', type: 'ExportRequested' },
  };
}

export const paymentWorker: WorkerDefinition<PaymentMessage> = {
  kind: 'payment',
  schema: PaymentMessageSchema,
  defaultConcurrency: 16,
  route: (msg) => (msg.type === 'JobCompared' ? { expect: ['compared'] } : { expect: ['awaiting_payment', 'compared'] }),
  handle: handlePayment,
  background: runPaymentSweeps,
};
