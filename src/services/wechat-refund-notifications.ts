/**
 * `REFUND.SUCCESS | REFUND.ABNORMAL | REFUND.CLOSED` notifications, once verified and decrypted
 * (payments/wechat-notify.ts): matched against our order (merchant, order, current refund id,
 * amount) and recorded through the same step as a refund query's answer (refunds.ts). News of
 * an earlier refund attempt (one that was closed and made again) is acknowledged and ignored.
 */
import type { Logger } from '../lib/logger.js';
import type { WechatKeys } from '../payments/wechat-keys.js';
import { WechatRefundSchema } from '../payments/wechat-notify.js';
import type { ServiceDeps } from './deps.js';
import { getOrder } from './payment-orders.js';
import { recordRefund, rescheduleRefund } from './refunds.js';

export interface RefundNotifyOutcome {
  status: number;
  code?: string;
  message?: string;
  /** Metric outcome: refund_recorded, duplicate, ignored, invalid, unknown_order, mismatch. */
  outcome: string;
}

export async function applyRefundNotification(
  deps: Pick<ServiceDeps, 'redis' | 'keys' | 'jobs' | 'config'> & { log: Pick<Logger, 'warn' | 'error' | 'info'> },
  wx: Pick<WechatKeys, 'mchid'>,
  resource: unknown,
  now: number,
): Promise<RefundNotifyOutcome> {
  const parsed = WechatRefundSchema.safeParse(resource);
  if (!parsed.success) return { status: 400, code: 'PARAM_ERROR', message: 'the refund misses required fields', outcome: 'invalid' };
  const r = parsed.data;
  if (r.mchid !== wx.mchid) return { status: 400, code: 'PARAM_ERROR', message: 'mchid does not match this merchant', outcome: 'invalid' };
  const order = await getOrder(deps, r.out_trade_no);
  if (!order) return { status: 404, code: 'ORDER_NOT_EXIST', message: `no order ${r.out_trade_no}`, outcome: 'unknown_order' };
  if (order.refundId !== r.out_refund_no || (order.status !== 'refunding' && order.status !== 'refunded')) {
    deps.log.info({ orderId: order.orderId, refundId: r.out_refund_no, current: order.refundId }, 'refund notification for another refund attempt; ignored');
    return { status: 204, outcome: 'ignored' };
  }
  if (r.amount.refund !== order.amount || r.amount.total !== order.amount) {
    deps.log.error({ orderId: order.orderId, amount: r.amount, ours: order.amount }, 'refund notification does not match our order');
    return { status: 400, code: 'PARAM_ERROR', message: `refund of ${r.amount.refund} of ${r.amount.total}, order is ${order.amount}`, outcome: 'mismatch' };
  }
  if (order.status === 'refunded') return { status: 204, outcome: 'duplicate' };
  const at = r.success_time ? Date.parse(r.success_time) : NaN;
  const timing = { checkAfterMs: deps.config.payment.reconcileAfterMs, retryBaseMs: deps.config.payment.reconcileIntervalMs };
  const next = await recordRefund(
    deps,
    order,
    {
      refundId: r.out_refund_no,
      status: r.refund_status,
      ...(r.refund_id ? { providerRefundId: r.refund_id } : {}),
      ...(Number.isFinite(at) ? { successAt: at } : {}),
    },
    now,
    timing,
  );
  // A closed refund is made again on the next pass; a finished one leaves the queue there.
  if (next !== null) await rescheduleRefund(deps, order.orderId, next);
  return { status: 204, outcome: 'refund_recorded' };
}
