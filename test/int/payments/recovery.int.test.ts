/**
 * The payment worker's recovery sweeps, each from the state a crash or a lost message leaves:
 * interrupted balance payments, paid orders whose effect was never handed over, balance-paid jobs
 * that fail, orders paid while being closed, payments for jobs that can no longer be delivered.
 */
import { describe, expect, it } from 'vitest';
import { jobPaymentKey } from '../../../src/services/balance-payments.js';
import { applyLedger, checkLedger } from '../../../src/services/ledger.js';
import { getOrder, markOrder } from '../../../src/services/payment-orders.js';
import { balanceSettlement, settlementOf } from '../../../src/services/settlement.js';
import { drainPayments, eventTypes, jobAwaitingPayment, paymentsHarness, sweep, type PaymentsHarness } from './support.js';

async function accountOf(h: PaymentsHarness, cookie: string): Promise<string> {
  return (await h.t.app.inject({ url: '/api/v1/profile', headers: { cookie } })).json().account.id as string;
}

/** The state a process leaves when it dies right after the debit of a balance payment. */
async function interruptedBalancePayment(h: PaymentsHarness) {
  const job = await jobAwaitingPayment(h, 250);
  const accountId = await accountOf(h, job.cookie);
  const now = Date.now();
  await applyLedger(h.t, { accountId, key: 'topup:seed', delta: 1_000, kind: 'topup', now });
  await h.t.testRedis.redis.zadd(h.t.keys.balancePaymentsPending(), now, balanceSettlement(accountId, job.jobId));
  await applyLedger(h.t, { accountId, key: jobPaymentKey(job.jobId), delta: -250, kind: 'job_payment', ref: job.jobId, now });
  return { ...job, accountId };
}

const pending = (h: PaymentsHarness) => h.t.testRedis.redis.zcard(h.t.keys.balancePaymentsPending());
const notify = (h: PaymentsHarness, orderId: string) => {
  const n = h.wx.notification(orderId);
  return h.t.app.inject({ method: 'POST', url: '/api/v1/wechatpay/notify', headers: n.headers, payload: n.body });
};

describe('recovery sweeps', () => {
  it('finishes a balance payment interrupted between the debit and the job transition', async () => {
    const h = await paymentsHarness();
    const { jobId, accountId } = await interruptedBalancePayment(h);
    await sweep(h);
    expect(await h.t.jobs.get(jobId)).toMatchObject({ status: 'paid', paid: true });
    expect(await settlementOf(h.deps, jobId)).toBe(balanceSettlement(accountId, jobId));
    expect((await h.t.jobs.events(jobId)).filter((e) => e.type === 'paid')).toEqual([expect.objectContaining({ data: expect.objectContaining({ method: 'balance', amount: 250 }) })]);
    expect(await pending(h)).toBe(0);
    await sweep(h);
    expect(await checkLedger(h.t, accountId)).toMatchObject({ balance: 750, entries: 2, ok: true });
  });

  it('credits an interrupted balance payment back when the job was cancelled meanwhile, and /profile shows it', async () => {
    const h = await paymentsHarness();
    const { jobId, accountId, cookie } = await interruptedBalancePayment(h);
    expect((await h.t.app.inject({ method: 'POST', url: `/api/v1/compare/jobs/${jobId}/cancel`, headers: { cookie } })).statusCode).toBe(200);
    await sweep(h);
    await sweep(h);
    expect(await checkLedger(h.t, accountId)).toMatchObject({ balance: 1_000, entries: 3, ok: true });
    const profile = (await h.t.app.inject({ url: '/api/v1/profile', headers: { cookie } })).json();
    expect(profile.balance).toBe(1_000);
    expect(profile.ledger[0]).toMatchObject({ kind: 'refund', delta: 250, balance: 1_000, ref: jobId, idempotencyKey: `refund:job:${jobId}` });
    expect((await h.t.jobs.events(jobId)).filter((e) => e.type === 'refunded')).toEqual([
      expect.objectContaining({ status: 'cancelled', data: expect.objectContaining({ method: 'balance', amount: 250 }) }),
    ]);
    expect(await pending(h)).toBe(0);
  });

  it('drops the pending mark of a balance payment that died before its debit', async () => {
    const h = await paymentsHarness();
    const { jobId, cookie } = await jobAwaitingPayment(h);
    const accountId = await accountOf(h, cookie);
    await h.t.testRedis.redis.zadd(h.t.keys.balancePaymentsPending(), Date.now(), balanceSettlement(accountId, jobId));
    await sweep(h);
    expect(await pending(h)).toBe(0);
    expect((await h.t.jobs.get(jobId))?.status).toBe('awaiting_payment');
    expect((await checkLedger(h.t, accountId)).entries).toBe(0);
  });

  it('hands a paid order whose hand-over was lost to the payment worker again, once', async () => {
    const h = await paymentsHarness();
    const { jobId, orderId } = await jobAwaitingPayment(h);
    const paid = h.wx.markPaid(orderId);
    // The API marked the order paid and died before publishing PaymentNotified.
    const at = Date.now();
    expect(await markOrder(h.deps, orderId, ['open'], 'paid', at, { transactionId: paid.transaction_id!, paidAt: at })).toBe(true);
    expect(await drainPayments(h, jobId)).toBe(0);
    await sweep(h, at + h.t.config.payment.reconcileAfterMs + 1);
    expect(await drainPayments(h, jobId)).toBe(1);
    expect((await h.t.jobs.get(jobId))?.status).toBe('paid');
    await sweep(h, at + h.t.config.payment.reconcileAfterMs + 2);
    expect(await drainPayments(h, jobId)).toBe(0);
    expect(await h.t.testRedis.redis.zcard(h.t.keys.paymentOrdersPaid())).toBe(0);
    expect((await eventTypes(h, jobId)).filter((t) => t === 'paid')).toHaveLength(1);
  });

  it('credits a paid top-up whose credit was lost, once', async () => {
    const h = await paymentsHarness();
    const first = await h.t.app.inject({ url: '/api/v1/profile' });
    const cookie = `sd_account=${first.cookies.find((c) => c.name === 'sd_account')!.value}`;
    const accountId = first.json().account.id as string;
    const top = (await h.t.app.inject({ method: 'POST', url: '/api/v1/billing/pending', headers: { cookie }, payload: { amount: 800 } })).json();
    const paid = h.wx.markPaid(top.orderId);
    const at = Date.now();
    await markOrder(h.deps, top.orderId, ['open'], 'paid', at, { transactionId: paid.transaction_id!, paidAt: at });
    expect((await checkLedger(h.t, accountId)).balance).toBe(0);
    await sweep(h, at + h.t.config.payment.reconcileAfterMs + 1);
    await sweep(h, at + h.t.config.payment.reconcileAfterMs + 2);
    expect((await notify(h, top.orderId)).statusCode).toBe(204); // WeChat's late notification: a duplicate
    expect(await checkLedger(h.t, accountId)).toMatchObject({ balance: 800, entries: 1, ok: true });
  });

  it('credits a balance payment back when the paid job fails before delivery; /profile shows the refund', async () => {
    const h = await paymentsHarness();
    const { jobId, cookie } = await jobAwaitingPayment(h, 250);
    const accountId = await accountOf(h, cookie);
    await applyLedger(h.t, { accountId, key: 'topup:seed', delta: 600, kind: 'topup', now: Date.now() });
    const pay = await h.t.app.inject({ method: 'POST', url: `/api/v1/compare/jobs/${jobId}/pay-from-balance`, headers: { cookie } });
    expect(pay.json()).toMatchObject({ amount: 250, balance: 350, status: 'paid' });
    await h.t.jobs.transition(jobId, { from: ['paid'], to: 'failed', patch: { error: { code: 'storage_unavailable', message: 'gone' } }, event: { type: 'failed' } });
    await sweep(h);
    await sweep(h);
    const profile = (await h.t.app.inject({ url: '/api/v1/profile', headers: { cookie } })).json();
    expect(profile.balance).toBe(600);
    expect(profile.ledger.map((e: { kind: string; delta: number }) => [e.kind, e.delta])).toEqual([['refund', 250], ['job_payment', -250], ['topup', 600]]);
    expect((await eventTypes(h, jobId)).filter((t) => t === 'refunded')).toHaveLength(1);
    expect(await checkLedger(h.t, accountId)).toMatchObject({ entries: 3, ok: true });
  });

  it('applies an order the payer paid while the sweep was closing it', async () => {
    const h = await paymentsHarness();
    const { jobId, orderId } = await jobAwaitingPayment(h);
    h.wx.onClose = (id) => h.wx.markPaid(id); // paid between our query and our close
    const expiry = (await getOrder(h.deps, orderId))!.expiresAt;
    await sweep(h, expiry + 1);
    expect((await getOrder(h.deps, orderId))?.status).toBe('open');
    expect((await h.t.jobs.get(jobId))?.status).toBe('awaiting_payment');
    await sweep(h, expiry + 2);
    expect((await getOrder(h.deps, orderId))?.status).toBe('paid');
    expect(await drainPayments(h, jobId)).toBe(1);
    expect((await h.t.jobs.get(jobId))?.status).toBe('paid');
  });

  it('refunds a payment for a job cancelled before the payment arrived', async () => {
    const h = await paymentsHarness();
    const { jobId, orderId, cookie } = await jobAwaitingPayment(h);
    await h.t.app.inject({ method: 'POST', url: `/api/v1/compare/jobs/${jobId}/cancel`, headers: { cookie } });
    h.wx.markPaid(orderId);
    expect((await notify(h, orderId)).statusCode).toBe(204);
    expect(await drainPayments(h, jobId)).toBe(0); // stale for a cancelled job
    await sweep(h, Date.now() + h.t.config.payment.reconcileAfterMs + 1);
    expect(h.wx.refunds.get(`rf${orderId}`)).toMatchObject({ out_trade_no: orderId, amount: 250 });
    expect((await getOrder(h.deps, orderId))?.status).toBe('refunding');
    expect(await settlementOf(h.deps, jobId)).toBeNull();
  });

  it('repairs a job left waiting for an order already closed (an older version closed in the other order)', async () => {
    const h = await paymentsHarness();
    const { jobId, orderId, cookie } = await jobAwaitingPayment(h);
    await markOrder(h.deps, orderId, ['open'], 'closed', Date.now());
    const res = await h.t.app.inject({ method: 'POST', url: `/api/v1/compare/jobs/${jobId}/payment`, headers: { cookie } });
    expect(res.json()).toMatchObject({ status: 'compared' });
    expect(await drainPayments(h, jobId)).toBe(1);
    expect((await h.t.jobs.get(jobId))?.payment?.orderId).toBe(`${orderId}r2`);
  });
});
