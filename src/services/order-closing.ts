/**
 * Closing a job's payment order that expired (or is no longer wanted) and handing the job back
 * to `compared`, from where a new order can be opened. Shared by the payment worker's sweep and
 * by `POST /compare/jobs/{id}/payment`, which closes an expired order at once instead of waiting
 * for the next sweep.
 *
 * Steps, in this order: close at the provider → job `awaiting_payment → compared` (only when
 * the job still waits for this very order) → our record `open → closed`. The record stays open,
 * and so in the sweep's index, until the last step, so a crash anywhere leaves work the next
 * sweep finishes; a job can never be left waiting for an order that is already closed.
 */
import type { PaymentProvider } from '../payments/provider.js';
import { markOrder, type OrderDeps, type OrderRecord } from './payment-orders.js';

/** Why an order is closed (the `reason` of the job's `payment_order_closed` event). */
export type CloseReason = 'expired' | 'not_wanted';

/**
 * Closes `order` (an `open` or already `closed` one; orders opened before order records are
 * passed as `{orderId, jobId, status: 'open'}`). Resolves `paid` when the provider says the payer
 * was faster: then nothing changed and reconciliation applies the payment.
 */
export async function closeJobOrder(
  deps: OrderDeps,
  provider: PaymentProvider,
  order: Pick<OrderRecord, 'orderId' | 'jobId' | 'status'>,
  now: number,
  reason: CloseReason,
): Promise<'closed' | 'paid'> {
  if (order.status !== 'open' && order.status !== 'closed') return 'paid';
  if (order.status === 'open' && (await provider.closeOrder(order.orderId)) === 'paid') return 'paid';
  const job = order.jobId ? await deps.jobs.get(order.jobId) : null;
  if (job?.status === 'awaiting_payment' && job.payment?.orderId === order.orderId) {
    await deps.jobs.transition(job.id, {
      from: ['awaiting_payment'],
      to: 'compared',
      event: { type: 'payment_order_closed', data: { orderId: order.orderId, reason } },
    });
  }
  await markOrder(deps, order.orderId, ['open'], 'closed', now, { closedAt: now });
  return 'closed';
}
