/**
 * POST /compare/jobs/{id}/payment: a new payment order (QR code) after the first one expired,
 * through the payment stream and the real payment handler, against the test WeChat Pay.
 */
import { describe, expect, it } from 'vitest';
import { JobViewSchema, PaymentMessageSchema } from '../../../src/contracts/index.js';
import { getOrder, markOrder, saveOrder } from '../../../src/services/payment-orders.js';
import { balanceSettlement, claimSettlement, settlementOf } from '../../../src/services/settlement.js';
import { cookieOf, upload } from '../api/support.js';
import { drainPayments, eventTypes, jobAwaitingPayment, paymentsHarness, sweep, type PaymentsHarness } from './support.js';

const reopen = (h: PaymentsHarness, jobId: string, headers: Record<string, string>, prefix = '/api/v1') =>
  h.t.app.inject({ method: 'POST', url: `${prefix}/compare/jobs/${jobId}/payment`, headers });

/** JobCompared messages on the payment stream for the job. */
async function orderRequests(h: PaymentsHarness, jobId: string): Promise<number> {
  const entries = await h.t.testRedis.redis.xrange(h.t.keys.stream('payment'), '-', '+');
  return entries.map(([, f]) => PaymentMessageSchema.parse(JSON.parse(f[1]!))).filter((m) => m.jobId === jobId && m.type === 'JobCompared').length;
}

/** A job whose first order expired and was closed by the payment worker's sweep. */
async function expiredJob(h: PaymentsHarness) {
  const job = await jobAwaitingPayment(h);
  await drainPayments(h, job.jobId); // the first JobCompared was run by jobAwaitingPayment
  const order = await getOrder(h.deps, job.orderId);
  await sweep(h, order!.expiresAt + 1);
  expect((await h.t.jobs.get(job.jobId))?.status).toBe('compared');
  return { ...job, codeUrl: order!.codeUrl! };
}

describe('POST /compare/jobs/{id}/payment', () => {
  it('re-opens an expired order: a new order …r2 with a new code URL, which pays the job once', async () => {
    const h = await paymentsHarness();
    const { jobId, orderId, cookie, codeUrl } = await expiredJob(h);
    expect(h.wx.orders.get(orderId)?.trade_state).toBe('CLOSED');
    expect((await h.t.app.inject({ url: `/api/v1/compare/jobs/${jobId}`, headers: { cookie } })).json().payment).toBeUndefined();

    const res = await reopen(h, jobId, { cookie });
    expect(res.statusCode).toBe(202);
    const body = JobViewSchema.parse(res.json());
    expect(body).toMatchObject({ id: jobId, status: 'compared', paid: false, price: 250 });
    expect(await drainPayments(h, jobId)).toBe(1);

    const view = (await h.t.app.inject({ url: `/api/v1/compare/jobs/${jobId}`, headers: { cookie } })).json();
    expect(view).toMatchObject({ status: 'awaiting_payment', payment: { orderId: `${orderId}r2`, amount: 250, currency: 'CNY' } });
    expect(view.payment.codeUrl).toMatch(/^weixin:\/\//);
    expect(view.payment.codeUrl).not.toBe(codeUrl);
    expect(h.wx.orders.get(`${orderId}r2`)).toMatchObject({ trade_state: 'NOTPAY', amount: { total: 250 } });

    // Asking again while the new order is open changes nothing and returns it.
    const again = await reopen(h, jobId, { cookie }, '');
    expect(again.statusCode).toBe(202);
    expect(again.json().payment).toEqual(view.payment);
    expect(await drainPayments(h, jobId)).toBe(0);

    h.wx.markPaid(`${orderId}r2`);
    const n = h.wx.notification(`${orderId}r2`);
    expect((await h.t.app.inject({ method: 'POST', url: '/api/v1/wechatpay/notify', headers: n.headers, payload: n.body })).statusCode).toBe(204);
    expect(await drainPayments(h, jobId)).toBe(1);
    expect((await h.t.jobs.get(jobId))?.status).toBe('paid');
    expect(await settlementOf(h.deps, jobId)).toBe(`o:${orderId}r2`);
    const types = await eventTypes(h, jobId);
    expect(types.filter((t) => t === 'payment_order_created')).toHaveLength(2);
    expect(types.filter((t) => t === 'paid')).toHaveLength(1);
    expect(types.indexOf('payment_order_closed')).toBeLessThan(types.lastIndexOf('payment_order_created'));

    const paid = await reopen(h, jobId, { cookie });
    expect(paid.statusCode).toBe(409);
    expect(paid.json()).toMatchObject({ code: 'conflict', jobStatus: 'paid' });
  });

  it('closes an order that expired before the sweep did, at WeChat first, then queues the next', async () => {
    const h = await paymentsHarness();
    const { jobId, orderId, cookie } = await jobAwaitingPayment(h);
    await drainPayments(h, jobId);
    h.t.clock.set((await getOrder(h.deps, orderId))!.expiresAt + 1);
    const res = await reopen(h, jobId, { cookie });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ status: 'compared' });
    expect(h.wx.orders.get(orderId)?.trade_state).toBe('CLOSED');
    expect((await getOrder(h.deps, orderId))?.status).toBe('closed');
    expect(await eventTypes(h, jobId)).toContain('payment_order_closed');
    expect(await drainPayments(h, jobId)).toBe(1);
    expect((await h.t.jobs.get(jobId))?.payment?.orderId).toBe(`${orderId}r2`);
  });

  it('leaves an expired order that the payer paid at the last moment to reconciliation', async () => {
    const h = await paymentsHarness();
    const { jobId, orderId, cookie } = await jobAwaitingPayment(h);
    await drainPayments(h, jobId);
    h.wx.markPaid(orderId); // paid, the notification not here yet
    h.t.clock.set((await getOrder(h.deps, orderId))!.expiresAt + 1);
    const res = await reopen(h, jobId, { cookie });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ status: 'awaiting_payment', payment: { orderId } });
    expect(await orderRequests(h, jobId)).toBe(0); // no new order queued
    await sweep(h);
    expect(await drainPayments(h, jobId)).toBe(1);
    expect((await h.t.jobs.get(jobId))?.status).toBe('paid');
    expect(h.wx.orders.size).toBe(1);
  });

  it('opens one order for concurrent and repeated requests, replays an Idempotency-Key, ignores a late request', async () => {
    const h = await paymentsHarness();
    const { jobId, orderId, cookie } = await expiredJob(h);
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) => reopen(h, jobId, { cookie, ...(i < 3 ? { 'idempotency-key': 'qr-1' } : {}) })),
    );
    expect(answers.map((a) => a.statusCode)).toEqual(Array(6).fill(202));
    expect(answers.filter((a) => a.headers['idempotent-replayed'] === 'true').length).toBeGreaterThanOrEqual(1);
    expect(await drainPayments(h, jobId)).toBe(1);
    expect([...h.wx.orders.keys()].sort()).toEqual([orderId, `${orderId}r2`]);

    // r2 expires too; a request for r2 arriving only now must not open anything.
    await sweep(h, (await getOrder(h.deps, `${orderId}r2`))!.expiresAt + 1);
    expect((await h.t.jobs.get(jobId))?.status).toBe('compared');
    await h.t.jobs.publish(jobId, { kind: 'payment', type: 'JobCompared', payload: { orderId: `${orderId}r2` } });
    expect(await drainPayments(h, jobId)).toBe(0);
    expect(h.wx.orders.has(`${orderId}r3`)).toBe(false);
    expect((await reopen(h, jobId, { cookie })).statusCode).toBe(202);
    expect(await drainPayments(h, jobId)).toBe(1);
    expect((await h.t.jobs.get(jobId))?.payment?.orderId).toBe(`${orderId}r3`);
  });

  it('opens no new order while a payment for the job is being applied', async () => {
    const h = await paymentsHarness();
    const late = await expiredJob(h);
    // The closed order turned out paid (the payer was faster than the close): its hand-over is on the way.
    await markOrder(h.deps, late.orderId, ['closed'], 'paid', Date.now(), { transactionId: 'tx-late', paidAt: Date.now() });
    expect((await reopen(h, late.jobId, { cookie: late.cookie })).json()).toMatchObject({ status: 'compared' });
    expect(await orderRequests(h, late.jobId)).toBe(0);

    const other = await expiredJob(h);
    // A balance payment claimed the job and is about to mark it paid.
    await claimSettlement(h.deps, other.jobId, balanceSettlement('acc', other.jobId));
    expect((await reopen(h, other.jobId, { cookie: other.cookie })).statusCode).toBe(202);
    expect(await orderRequests(h, other.jobId)).toBe(0);
  });

  it('skips an order a crashed run opened and never attached, once it is closed', async () => {
    const h = await paymentsHarness();
    const { jobId, orderId, cookie } = await expiredJob(h);
    // r2 was saved (and sent to WeChat) by a run that died before attaching it; the sweep closed it.
    const now = Date.now();
    await saveOrder(h.deps, { orderId: `${orderId}r2`, kind: 'job', jobId, accountId: 'acc', amount: 250, createdAt: now, expiresAt: now + 1 });
    await markOrder(h.deps, `${orderId}r2`, ['open'], 'closed', now);
    expect((await reopen(h, jobId, { cookie })).statusCode).toBe(202);
    expect(await drainPayments(h, jobId)).toBe(1);
    const job = await h.t.jobs.get(jobId);
    expect(job).toMatchObject({ status: 'awaiting_payment', payment: { orderId: `${orderId}r3` } });
    expect(h.wx.orders.get(`${orderId}r3`)?.code_url).toBe(job?.payment?.codeUrl);
  });

  it('answers 404 to others, 409 before compare and once paid or free, 410 cancelled or expired', async () => {
    const h = await paymentsHarness();
    const { jobId, cookie } = await jobAwaitingPayment(h);
    const stranger = cookieOf(await h.t.app.inject({ url: '/api/v1/profile' }));
    expect((await reopen(h, jobId, { cookie: stranger })).statusCode).toBe(404);
    expect((await reopen(h, 'AAAAAAAAAAAAAAAAAAAAAA', { cookie })).statusCode).toBe(404);

    const queued = await upload(h.t.app, { headers: { cookie } });
    const q = await reopen(h, queued.json().jobId, { cookie });
    expect(q.statusCode).toBe(409);
    expect(q.json()).toMatchObject({ code: 'invalid_state', jobStatus: 'queued' });

    const free = (await upload(h.t.app, { headers: { cookie } })).json().jobId as string;
    await h.t.jobs.transition(free, { from: ['queued'], to: 'compared', patch: { price: 0 }, event: { type: 'compared' } });
    expect((await reopen(h, free, { cookie })).json()).toMatchObject({ code: 'invalid_state' });

    const paid = (await upload(h.t.app, { headers: { cookie } })).json().jobId as string;
    await h.t.jobs.transition(paid, { from: ['queued'], to: 'ready', patch: { price: 250, paid: true }, event: { type: 'ready' } });
    expect((await reopen(h, paid, { cookie })).json()).toMatchObject({ code: 'conflict', jobStatus: 'ready' });

    expect((await h.t.app.inject({ method: 'POST', url: `/api/v1/compare/jobs/${jobId}/cancel`, headers: { cookie } })).statusCode).toBe(200);
    const cancelled = await reopen(h, jobId, { cookie });
    expect(cancelled.statusCode).toBe(410);
    expect(cancelled.json()).toMatchObject({ code: 'gone', jobStatus: 'cancelled' });

    h.t.clock.advance(h.t.config.jobs.retentionMs + 1);
    expect((await reopen(h, free, { cookie })).statusCode).toBe(410);
  });

  it('works the same with the dev provider: new /dev/pay page, paying it pays the job', async () => {
    const h = await paymentsHarness('certificate', { PAYMENT_PROVIDER: 'dev' });
    const { jobId, orderId, cookie } = await expiredJob(h);
    expect((await reopen(h, jobId, { cookie })).statusCode).toBe(202);
    expect(await drainPayments(h, jobId)).toBe(1);
    const view = (await h.t.app.inject({ url: `/api/v1/compare/jobs/${jobId}`, headers: { cookie } })).json();
    expect(view.payment).toMatchObject({ orderId: `${orderId}r2`, amount: 250, codeUrl: `http://localhost:8080/dev/pay/${orderId}r2` });
    // The old page no longer pays, as a closed WeChat QR code would not.
    expect((await h.t.app.inject({ url: `/dev/pay/${orderId}`, headers: { cookie } })).body).toContain('expired');
    expect((await h.t.app.inject({ method: 'POST', url: `/api/v1/dev/pay/${orderId}`, headers: { cookie } })).statusCode).toBe(409);
    expect((await h.t.app.inject({ method: 'POST', url: `/api/v1/dev/pay/${orderId}r2`, headers: { cookie } })).statusCode).toBe(202);
    expect(await drainPayments(h, jobId)).toBe(1);
    expect(await h.t.jobs.get(jobId)).toMatchObject({ status: 'paid', paid: true });
  });

  it('is in the OpenAPI document', async () => {
    const h = await paymentsHarness();
    const doc = (await h.t.app.inject({ url: '/docs/json' })).json();
    expect(Object.keys(doc.paths['/api/v1/compare/jobs/{id}/payment'].post.responses)).toContain('202');
  });
});
