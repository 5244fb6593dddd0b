import { describe, expect, it } from 'vitest';
import { providerFor } from '../../../src/payments/provider.js';
import { checkLedger } from '../../../src/services/ledger.js';
import { getOrder } from '../../../src/services/payment-orders.js';
import { sweepPayments } from '../../../workers/payment/sweeps.js';
import { jobAwaitingPayment, paymentNotices, paymentsHarness, runPaymentHandler, type PaymentsHarness } from './support.js';

async function deliverNotices(h: PaymentsHarness, jobId: string): Promise<number> {
  let applied = 0;
  for (const n of (await paymentNotices(h)).filter((x) => x.jobId === jobId)) {
    if (await runPaymentHandler(h, jobId, { v: 1, type: 'PaymentNotified', id: 'n', jobId, payload: n.payload as never })) applied += 1;
  }
  return applied;
}

const paidEvents = async (h: PaymentsHarness, jobId: string) => (await h.t.jobs.events(jobId)).filter((e) => e.type === 'paid').length;

describe('payment worker sweeps', () => {
  it('reconciles a paid order whose notification was lost', async () => {
    const h = await paymentsHarness();
    const { jobId, orderId } = await jobAwaitingPayment(h);
    const provider = await providerFor(h.t.config);
    await sweepPayments(h.deps, provider, Date.now() + h.t.config.payment.reconcileAfterMs + 1);
    expect((await getOrder(h.deps, orderId))?.status).toBe('open'); // not paid yet: nothing to do
    const paid = h.wx.markPaid(orderId); // paid, but WeChat's notification never arrives
    await sweepPayments(h.deps, provider, Date.now() + h.t.config.payment.reconcileAfterMs + 1);
    expect(await getOrder(h.deps, orderId)).toMatchObject({ status: 'paid', transactionId: paid.transaction_id });
    expect(await deliverNotices(h, jobId)).toBe(1);
    expect((await h.t.jobs.get(jobId))?.status).toBe('paid');
    expect(await paidEvents(h, jobId)).toBe(1);
  });

  it('closes an expired order, returns the job to compared and opens …r2 next', async () => {
    const h = await paymentsHarness();
    const { jobId, orderId } = await jobAwaitingPayment(h);
    const order = await getOrder(h.deps, orderId);
    await sweepPayments(h.deps, await providerFor(h.t.config), order!.expiresAt + 1);
    expect(h.wx.orders.get(orderId)?.trade_state).toBe('CLOSED');
    expect((await getOrder(h.deps, orderId))?.status).toBe('closed');
    const job = await h.t.jobs.get(jobId);
    expect(job?.status).toBe('compared');
    expect((await h.t.jobs.events(jobId)).map((e) => e.type)).toContain('payment_order_closed');
    expect(await runPaymentHandler(h, jobId, { v: 1, type: 'JobCompared', id: 'm2', jobId, payload: {} })).toBe(true);
    expect((await h.t.jobs.get(jobId))?.payment?.orderId).toBe(`${orderId}r2`);
    expect(h.wx.orders.get(`${orderId}r2`)?.trade_state).toBe('NOTPAY');
  });

  it('refunds a paid job that fails before delivery, once', async () => {
    const h = await paymentsHarness();
    const { jobId, orderId } = await jobAwaitingPayment(h);
    h.wx.markPaid(orderId);
    const n = h.wx.notification(orderId);
    expect((await h.t.app.inject({ method: 'POST', url: '/wechatpay/notify', headers: n.headers, payload: n.body })).statusCode).toBe(204);
    expect(await deliverNotices(h, jobId)).toBe(1);
    await h.t.jobs.transition(jobId, { from: ['paid'], to: 'failed', patch: { error: { code: 'storage_unavailable', message: 'gone' } }, event: { type: 'failed' } });
    const provider = await providerFor(h.t.config);
    await sweepPayments(h.deps, provider);
    await sweepPayments(h.deps, provider);
    expect([...h.wx.refunds.values()]).toEqual([expect.objectContaining({ out_refund_no: `rf${orderId}`, out_trade_no: orderId, amount: 250 })]);
    expect((await getOrder(h.deps, orderId))?.status).toBe('refunding'); // PROCESSING at WeChat (refunds.int.test.ts follows it)
  });

  it('tops up once, pays a job from the balance once and refunds a second payment through the old QR code', async () => {
    const h = await paymentsHarness();
    const { jobId, orderId, cookie } = await jobAwaitingPayment(h, 250);
    const short = await h.t.app.inject({ method: 'POST', url: `/api/v1/compare/jobs/${jobId}/pay-from-balance`, headers: { cookie } });
    expect(short.statusCode).toBe(402);

    const top = await h.t.app.inject({ method: 'POST', url: '/api/v1/billing/pending', headers: { cookie, 'idempotency-key': 't1' }, payload: { amount: 1000 } });
    expect(top.statusCode).toBe(201);
    expect(top.json()).toMatchObject({ amount: 1000, status: 'open', codeUrl: expect.stringMatching(/^weixin:\/\//) });
    const topId = top.json().orderId as string;
    h.wx.markPaid(topId);
    for (let i = 0; i < 3; i++) {
      const n = h.wx.notification(topId);
      expect((await h.t.app.inject({ method: 'POST', url: '/api/v1/wechatpay/notify', headers: n.headers, payload: n.body })).statusCode).toBe(204);
    }
    const profile = (await h.t.app.inject({ url: '/api/v1/profile', headers: { cookie } })).json();
    expect(profile.balance).toBe(1000);

    const pay = await h.t.app.inject({ method: 'POST', url: `/api/v1/compare/jobs/${jobId}/pay-from-balance`, headers: { cookie, 'idempotency-key': 'p1' } });
    expect(pay.statusCode).toBe(200);
    expect(pay.json()).toMatchObject({ jobId, amount: 250, balance: 750, status: 'paid' });
    const again = await h.t.app.inject({ method: 'POST', url: `/api/v1/compare/jobs/${jobId}/pay-from-balance`, headers: { cookie } });
    expect(again.json()).toMatchObject({ balance: 750 });
    expect(await paidEvents(h, jobId)).toBe(1);

    // The payer scans the old QR code anyway: that payment loses the settlement and is refunded.
    h.wx.markPaid(orderId);
    const n = h.wx.notification(orderId);
    expect((await h.t.app.inject({ method: 'POST', url: '/api/v1/wechatpay/notify', headers: n.headers, payload: n.body })).statusCode).toBe(204);
    expect(await deliverNotices(h, jobId)).toBe(0);
    await sweepPayments(h.deps, await providerFor(h.t.config), Date.now() + h.t.config.payment.reconcileAfterMs + 1);
    expect([...h.wx.refunds.values()]).toEqual([expect.objectContaining({ out_trade_no: orderId, amount: 250 })]);
    const accountId = profile.account.id as string;
    expect(await checkLedger(h.t, accountId)).toMatchObject({ balance: 750, entries: 2, ok: true });
  });
});
