/**
 * payment-worker: the payment state machine of a compare job.
 * - `JobCompared`: price 0 → `paid` at once (payment skipped) and on to export; else open an order
 *   (the order id derives from the job id, so a retry never opens a second order) → `awaiting_payment`.
 * - `PaymentNotified` (a verified notification handed over by the API): amount and order checked
 *   against the job → `paid` and on to export; anything that does not match changes nothing.
 */
import { PaymentMessageSchema, type PaymentMessage } from '../../src/contracts/index.js';
import { createPaymentProvider, type PaymentProvider } from '../../src/payments/provider.js';
import { orderIdForJob } from '../../src/services/payments.js';
import type { JobContext, Outcome } from '../../src/streams/index.js';
import type { WorkerDefinition, WorkerDeps } from '../shared/run-worker.js';

let provider: PaymentProvider | undefined;

export async function handlePayment(msg: PaymentMessage, ctx: JobContext, deps: WorkerDeps): Promise<Outcome | null> {
  const job = ctx.job;
  if (msg.type === 'JobCompared') {
    const amount = job.price ?? 0;
    if (amount === 0) {
      return { to: 'paid', patch: { paid: true }, event: { type: 'payment_skipped', data: { reason: 'free' } }, next: { kind: 'export', type: 'ExportRequested' } };
    }
    provider ??= createPaymentProvider(deps.config);
    const orderId = orderIdForJob(job.id);
    const order = await provider.createOrder({ orderId, amount, description: `sheetdiff ${job.id}`, now: Date.now() });
    return {
      to: 'awaiting_payment',
      patch: { payment: { orderId, amount, codeUrl: order.codeUrl, expiresAt: order.expiresAt } },
      event: { type: 'payment_order_created', data: { orderId, amount, currency: 'CNY', expiresAt: new Date(order.expiresAt).toISOString() } },
    };
  }
  const { orderId, transactionId, amount } = msg.payload;
  if (!job.payment || job.payment.orderId !== orderId || job.payment.amount !== amount) {
    ctx.log.warn({ orderId, amount, expected: job.payment }, 'payment notification does not match the order; ignored');
    return null;
  }
  return {
    to: 'paid',
    patch: { paid: true },
    event: { type: 'paid', data: { orderId, transactionId, amount } },
    next: { kind: 'export', type: 'ExportRequested' },
  };
}

export const paymentWorker: WorkerDefinition<PaymentMessage> = {
  kind: 'payment',
  schema: PaymentMessageSchema,
  defaultConcurrency: 16,
  route: (msg) => (msg.type === 'JobCompared' ? { expect: ['compared'] } : { expect: ['awaiting_payment'] }),
  handle: handlePayment,
};
