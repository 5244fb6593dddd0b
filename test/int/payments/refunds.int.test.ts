/**
 * Refunds at WeChat Pay, recorded step by step on the order and in the job's history: the
 * payment worker's refund sweep against the test WeChat (real plugin, signed answers), refund
 * notifications through the API.
 */
import { register } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { getOrder } from '../../../src/services/payment-orders.js';
import { refundIdFor } from '../../../src/services/refunds.js';
import { drainPayments, eventTypes, jobAwaitingPayment, paymentsHarness, sweep, type PaymentsHarness } from './support.js';

async function refundsCounted(outcome: string): Promise<number> {
  const m = register.getSingleMetric('sheetdiff_payment_refunds_total');
  return (await m!.get()).values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
}

const notify = (h: PaymentsHarness, n: { headers: Record<string, string>; body: string }) =>
  h.t.app.inject({ method: 'POST', url: '/api/v1/wechatpay/notify', headers: n.headers, payload: n.body });

/** A job paid through WeChat whose export then failed: its payment is to be refunded. */
async function paidThenFailed(h: PaymentsHarness) {
  const job = await jobAwaitingPayment(h);
  h.wx.markPaid(job.orderId);
  expect((await notify(h, h.wx.notification(job.orderId))).statusCode).toBe(204);
  expect(await drainPayments(h, job.jobId)).toBe(1);
  await h.t.jobs.transition(job.jobId, { from: ['paid'], to: 'failed', patch: { error: { code: 'storage_unavailable', message: 'gone' } }, event: { type: 'failed' } });
  return { ...job, refundId: refundIdFor(job.orderId) };
}

const queued = (h: PaymentsHarness) => h.t.testRedis.redis.zrange(h.t.keys.paymentRefunds(), 0, -1, 'WITHSCORES');
const refundEvents = async (h: PaymentsHarness, jobId: string) => (await h.t.jobs.events(jobId)).filter((e) => e.type === 'refunded');

describe('refunds at WeChat Pay', () => {
  it('records a refund from request to success, notes it once in the job history, and leaves the queue', async () => {
    const h = await paymentsHarness();
    const { jobId, orderId, refundId, cookie } = await paidThenFailed(h);
    const requested = await refundsCounted('requested');
    const succeeded = await refundsCounted('succeeded');
    const t0 = Date.now() + 1_000;
    await sweep(h, t0);
    const wx = h.wx.refunds.get(refundId);
    expect(wx).toMatchObject({ out_trade_no: orderId, amount: 250, status: 'PROCESSING' });
    expect(await getOrder(h.deps, orderId)).toMatchObject({
      status: 'refunding',
      refundId,
      refundAttempt: 1,
      refundStatus: 'PROCESSING',
      refundRequestedAt: t0,
      refundCheckedAt: t0,
      providerRefundId: wx!.refund_id,
    });
    expect(await refundsCounted('requested')).toBe(requested + 1);
    expect(await queued(h)).toEqual([`o:${orderId}`, String(t0 + h.t.config.payment.reconcileAfterMs)]);

    await sweep(h, t0 + 1); // not due yet: WeChat is not asked again
    expect((await getOrder(h.deps, orderId))?.refundCheckedAt).toBe(t0);

    h.wx.setRefundStatus(refundId, 'SUCCESS');
    const t1 = t0 + h.t.config.payment.reconcileAfterMs;
    await sweep(h, t1);
    const done = await getOrder(h.deps, orderId);
    expect(done).toMatchObject({ status: 'refunded', refundStatus: 'SUCCESS', refundCheckedAt: t1, refundedAt: Date.parse(wx!.success_time!) });
    expect(await refundsCounted('succeeded')).toBe(succeeded + 1);
    expect(await queued(h)).toEqual([]);
    await sweep(h, t1 + 3_600_000);
    const events = (await (await h.t.app.inject({ url: `/api/v1/compare/jobs/${jobId}/events`, headers: { cookie } })).json()).events as { type: string; data?: unknown }[];
    expect(events.filter((e) => e.type === 'refunded')).toEqual([
      expect.objectContaining({ data: { method: 'order', orderId, refundId, amount: 250, currency: 'CNY' } }),
    ]);
    expect(h.wx.refunds.size).toBe(1);
  });

  it("takes WeChat's refund notifications: recorded at once, a repeat is a duplicate, forged or mismatched ones change nothing", async () => {
    const h = await paymentsHarness('public-key');
    const { jobId, orderId, refundId } = await paidThenFailed(h);
    await sweep(h);
    h.wx.setRefundStatus(refundId, 'SUCCESS');
    const forged = await notify(h, h.wx.refundNotification(refundId, { signWith: 'merchant' }));
    expect(forged.statusCode).toBe(401);
    const other = await notify(h, h.wx.refundNotification(refundId, { refund: { amount: { total: 250, refund: 100, payer_total: 250, payer_refund: 100 } } }));
    expect(other.statusCode).toBe(400);
    const stranger = await notify(h, h.wx.refundNotification(refundId, { refund: { mchid: '1900000999' } }));
    expect(stranger.statusCode).toBe(400);
    expect((await getOrder(h.deps, orderId))?.status).toBe('refunding');

    // News of another refund id (an earlier, closed attempt) is acknowledged and ignored.
    const earlier = await notify(h, h.wx.refundNotification(refundId, { refund: { out_refund_no: `${refundId}-0`, refund_status: 'CLOSED' } }));
    expect(earlier.statusCode).toBe(204);
    expect((await getOrder(h.deps, orderId))?.refundStatus).toBe('PROCESSING');

    const n = h.wx.refundNotification(refundId);
    expect((await notify(h, n)).statusCode).toBe(204);
    expect(await getOrder(h.deps, orderId)).toMatchObject({ status: 'refunded', refundStatus: 'SUCCESS' });
    expect((await notify(h, n)).statusCode).toBe(401); // the same delivery again: a replay
    expect((await notify(h, h.wx.refundNotification(refundId))).statusCode).toBe(204); // WeChat's own retry
    await sweep(h, Date.now() + 3_600_000);
    expect(await refundEvents(h, jobId)).toHaveLength(1);
    expect(await queued(h)).toEqual([]);
  });

  it('makes a refund WeChat closed again under a new refund id and finishes that one', async () => {
    const h = await paymentsHarness();
    const { jobId, orderId, refundId } = await paidThenFailed(h);
    const closed = await refundsCounted('closed');
    const t0 = Date.now();
    await sweep(h, t0);
    h.wx.setRefundStatus(refundId, 'CLOSED');
    const t1 = t0 + h.t.config.payment.reconcileAfterMs;
    await sweep(h, t1);
    expect(await getOrder(h.deps, orderId)).toMatchObject({ status: 'refunding', refundId, refundStatus: 'CLOSED' });
    expect(await refundsCounted('closed')).toBe(closed + 1);
    await sweep(h, t1 + 1);
    const second = refundIdFor(orderId, 2);
    expect(second).toBe(`${refundId}-2`);
    expect(await getOrder(h.deps, orderId)).toMatchObject({ status: 'refunding', refundId: second, refundAttempt: 2, refundStatus: 'PROCESSING' });
    expect(h.wx.refunds.get(second)).toMatchObject({ amount: 250, status: 'PROCESSING' });
    h.wx.setRefundStatus(second, 'SUCCESS');
    await sweep(h, t1 + 1 + h.t.config.payment.reconcileAfterMs);
    expect(await getOrder(h.deps, orderId)).toMatchObject({ status: 'refunded', refundId: second });
    expect((await refundEvents(h, jobId)).map((e) => e.data?.refundId)).toEqual([second]);
  });

  it('keeps an ABNORMAL refund visible (order, job history, metric) and queued until it is resolved', async () => {
    const h = await paymentsHarness();
    const { jobId, orderId, refundId } = await paidThenFailed(h);
    const abnormal = await refundsCounted('abnormal');
    const t0 = Date.now();
    await sweep(h, t0);
    h.wx.setRefundStatus(refundId, 'ABNORMAL');
    const t1 = t0 + h.t.config.payment.reconcileAfterMs;
    await sweep(h, t1);
    await sweep(h, t1 + 1);
    expect(await getOrder(h.deps, orderId)).toMatchObject({ status: 'refunding', refundStatus: 'ABNORMAL', refundCheckedAt: t1 });
    expect(await refundsCounted('abnormal')).toBe(abnormal + 1);
    const failed = (await h.t.jobs.events(jobId)).filter((e) => e.type === 'refund_failed');
    expect(failed).toEqual([expect.objectContaining({ data: expect.objectContaining({ orderId, refundId, status: 'ABNORMAL', amount: 250 }) })]);
    const [member, score] = await queued(h);
    expect(member).toBe(`o:${orderId}`);
    expect(Number(score)).toBeGreaterThanOrEqual(t1 + 15 * 60_000);

    h.wx.setRefundStatus(refundId, 'SUCCESS'); // an operator resolved it in the merchant platform
    await sweep(h, Number(score));
    expect((await getOrder(h.deps, orderId))?.status).toBe('refunded');
    expect(await eventTypes(h, jobId)).toEqual(expect.arrayContaining(['refund_failed', 'refunded']));
    expect(await queued(h)).toEqual([]);
  });

  it('retries a refund request WeChat failed to take, with the error on record and backoff, under the same refund id', async () => {
    const h = await paymentsHarness();
    const { orderId, refundId } = await paidThenFailed(h);
    const errors = await refundsCounted('error');
    const base = h.t.config.payment.reconcileIntervalMs;
    h.wx.failRefunds = 2;
    const t0 = Date.now();
    await sweep(h, t0);
    expect(await getOrder(h.deps, orderId)).toMatchObject({ status: 'refunding', refundId, refundStatus: 'REQUESTING', refundFailures: 1 });
    expect((await getOrder(h.deps, orderId))?.refundError).toContain('SYSTEM_ERROR');
    expect(await queued(h)).toEqual([`o:${orderId}`, String(t0 + base)]);
    await sweep(h, t0 + base);
    expect(await getOrder(h.deps, orderId)).toMatchObject({ refundFailures: 2 });
    expect(await queued(h)).toEqual([`o:${orderId}`, String(t0 + 3 * base)]);
    expect(await refundsCounted('error')).toBe(errors + 2);
    expect(h.wx.refunds.size).toBe(0);
    await sweep(h, t0 + 3 * base);
    expect(await getOrder(h.deps, orderId)).toMatchObject({ refundId, refundStatus: 'PROCESSING', refundFailures: 0 });
    expect([...h.wx.refunds.keys()]).toEqual([refundId]);
  });
});
