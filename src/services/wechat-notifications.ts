/**
 * POST /wechatpay/notify: a WeChat Pay notification verified and decrypted by
 * payments/wechat-notify.ts, then matched against our order (mchid, appid, out_trade_no, amount,
 * currency) before anything changes, and applied through the same path as the dev Pay button.
 * Refund notifications are recorded on the order (wechat-refund-notifications.ts).
 *
 * Answers what WeChat expects: 204 with no body when taken, else 4xx/5xx with `{code, message}`
 * (WeChat then retries later; a refused forgery simply never succeeds).
 */
import type { Logger } from '../lib/logger.js';
import { paymentMetrics } from '../observability/metrics.js';
import type { WechatKeys } from '../payments/wechat-keys.js';
import { WechatTransactionSchema, verifyNotification, type NotifyRequest } from '../payments/wechat-notify.js';
import type { ServiceDeps } from './deps.js';
import { applyVerifiedPayment } from './payment-orders.js';
import { applyRefundNotification } from './wechat-refund-notifications.js';

export interface NotifyAnswer {
  status: number;
  body?: { code: string; message: string };
}

/** How long a seen nonce is remembered: past the 5-minute timestamp window, so a replay is always caught. */
const NONCE_TTL_SECONDS = 15 * 60;

const answer = (status: number, code: string, message: string): NotifyAnswer => ({ status, body: { code, message } });

export async function handleWechatNotification(
  deps: Pick<ServiceDeps, 'redis' | 'keys' | 'jobs' | 'clock' | 'config'> & { log: Pick<Logger, 'warn' | 'error' | 'info'> },
  wx: WechatKeys,
  req: NotifyRequest,
): Promise<NotifyAnswer> {
  const out = await handle(deps, wx, req).catch((err: unknown) => {
    paymentMetrics.notification('error');
    throw err;
  });
  paymentMetrics.notification(out.outcome);
  return out.answer;
}

/** The answer and its metric outcome (`applied`, `duplicate`, `ignored`, `rejected_<code>`, `invalid`, …). */
async function handle(
  deps: Pick<ServiceDeps, 'redis' | 'keys' | 'jobs' | 'clock' | 'config'> & { log: Pick<Logger, 'warn' | 'error' | 'info'> },
  wx: WechatKeys,
  req: NotifyRequest,
): Promise<{ answer: NotifyAnswer; outcome: string }> {
  const now = deps.clock();
  let claimed: string | undefined;
  const verified = await verifyNotification(req, {
    verifiers: wx.verifiers,
    apiV3Key: wx.apiV3Key,
    nowSeconds: Math.floor(now / 1000),
    claimNonce: async (nonce) => {
      const ok = (await deps.redis.set(deps.keys.wechatNonce(nonce), String(now), 'EX', NONCE_TTL_SECONDS, 'NX')) === 'OK';
      if (ok) claimed = nonce;
      return ok;
    },
  });
  if (!verified.ok) {
    deps.log.warn({ code: verified.code, reason: verified.message }, 'wechat notification refused');
    return { answer: answer(verified.status, verified.code, verified.message), outcome: `rejected_${verified.code.toLowerCase()}` };
  }
  try {
    if (verified.eventType.startsWith('REFUND.')) {
      const r = await applyRefundNotification(deps, wx, verified.resource, now);
      return { answer: r.code ? answer(r.status, r.code, r.message ?? '') : { status: r.status }, outcome: r.outcome };
    }
    // Other notifications carry nothing we act on: acknowledged once verified.
    if (!verified.eventType.startsWith('TRANSACTION.')) return { answer: { status: 204 }, outcome: 'ignored' };
    const parsed = WechatTransactionSchema.safeParse(verified.resource);
    if (!parsed.success) return { answer: answer(400, 'PARAM_ERROR', 'the transaction misses required fields'), outcome: 'invalid' };
    const t = parsed.data;
    if (t.mchid !== wx.mchid || t.appid !== wx.appid) {
      deps.log.warn({ mchid: t.mchid, appid: t.appid }, 'wechat notification for another merchant or app refused');
      return { answer: answer(400, 'PARAM_ERROR', 'mchid or appid does not match this merchant'), outcome: 'invalid' };
    }
    if (t.trade_state !== 'SUCCESS') return { answer: { status: 204 }, outcome: 'ignored' };
    const r = await applyVerifiedPayment(
      deps,
      { orderId: t.out_trade_no, transactionId: t.transaction_id ?? '', amount: t.amount.total, currency: t.amount.currency },
      now,
    );
    if (r.result === 'unknown_order') return { answer: answer(404, 'ORDER_NOT_EXIST', r.reason), outcome: 'unknown_order' };
    if (r.result === 'mismatch') {
      deps.log.error({ orderId: t.out_trade_no, reason: r.reason }, 'wechat notification does not match our order');
      return { answer: answer(400, 'PARAM_ERROR', r.reason), outcome: 'mismatch' };
    }
    deps.log.info({ orderId: t.out_trade_no, result: r.result }, 'wechat payment notification');
    return { answer: { status: 204 }, outcome: r.result };
  } catch (err) {
    // Let WeChat's retry (same nonce or a new one) be processed again.
    if (claimed) await deps.redis.del(deps.keys.wechatNonce(claimed)).catch(() => undefined);
    deps.log.error({ err }, 'wechat notification failed; WeChat will retry');
    return { answer: answer(500, 'FAIL', 'temporarily unable to process the notification'), outcome: 'error' };
  }
}
