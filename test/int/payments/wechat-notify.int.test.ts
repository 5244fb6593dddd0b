import { createSign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { getOrder } from '../../../src/services/payment-orders.js';
import { wechatTestKeys } from '../../helpers/wechatpay-keys.js';
import type { TestNotification } from '../../helpers/wechatpay-server.js';
import { settlementOf } from '../../../src/services/settlement.js';
import { drainPayments, eventTypes, jobAwaitingPayment, paymentNotices, paymentsHarness, type PaymentsHarness } from './support.js';

const URL_ = '/api/v1/wechatpay/notify';

function inject(h: PaymentsHarness, n: TestNotification) {
  return h.t.app.inject({ method: 'POST', url: URL_, headers: n.headers, payload: n.body });
}

/** Re-signs a tampered body with the real platform key, so only the tampering can be caught. */
function resigned(n: TestNotification, body: string): TestNotification {
  const { 'wechatpay-timestamp': ts, 'wechatpay-nonce': nonce } = n.headers;
  const sig = createSign('RSA-SHA256').update(`${ts}\n${nonce}\n${body}\n`).sign(wechatTestKeys().platformPrivate, 'base64');
  return { ...n, body, headers: { ...n.headers, 'wechatpay-signature': sig } };
}

async function unchanged(h: PaymentsHarness, jobId: string, orderId: string) {
  expect((await h.t.jobs.get(jobId))?.status).toBe('awaiting_payment');
  expect((await getOrder(h.deps, orderId))?.status).toBe('open');
  expect(await paymentNotices(h)).toHaveLength(0);
}

describe.each(['certificate', 'public-key'] as const)('POST /wechatpay/notify (%s mode)', (mode) => {
  it('takes a genuine notification: 204 with no body, order paid, one hand-over to the payment worker', async () => {
    const h = await paymentsHarness(mode);
    const { jobId, orderId } = await jobAwaitingPayment(h);
    expect(h.wx.orders.get(orderId)?.amount.total).toBe(250);
    const paid = h.wx.markPaid(orderId);
    const res = await inject(h, h.wx.notification(orderId));
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    const order = await getOrder(h.deps, orderId);
    expect(order).toMatchObject({ status: 'paid', transactionId: paid.transaction_id });
    expect(await paymentNotices(h)).toEqual([expect.objectContaining({ jobId, payload: { orderId, transactionId: paid.transaction_id, amount: 250 } })]);
  });

  it('refuses forged, wrong-serial, stale, replayed, tampered, wrong-amount, foreign and unknown notifications and changes nothing', async () => {
    const h = await paymentsHarness(mode);
    const { jobId, orderId } = await jobAwaitingPayment(h);
    h.wx.markPaid(orderId);
    const genuine = h.wx.notification(orderId);
    const ct = JSON.parse(genuine.body) as { resource: { ciphertext: string } };
    const bytes = Buffer.from(ct.resource.ciphertext, 'base64');
    bytes[3]! ^= 0x01;
    const tamperedBody = genuine.body.replace(ct.resource.ciphertext, bytes.toString('base64'));
    const { orderId: foreignOrder } = { orderId: 'sdUNKNOWNORDERxxxxxxxxxxxx' };
    h.wx.orders.set(foreignOrder, { ...h.wx.orders.get(orderId)!, out_trade_no: foreignOrder });

    const cases: [string, TestNotification, number, string][] = [
      ['forged signature', h.wx.notification(orderId, { signWith: 'merchant' }), 401, 'SIGN_ERROR'],
      ['signature of another body', { ...genuine, body: h.wx.notification(orderId, { transaction: { amount: { total: 1, currency: 'CNY' } } }).body }, 401, 'SIGN_ERROR'],
      ['wrong serial', h.wx.notification(orderId, { serial: '0123456789ABCDEF' }), 401, 'SIGN_ERROR'],
      // Ten minutes off, not 301 s: the cases are built up front and a slow machine could bring a
      // +301 s timestamp back inside the window before it is sent (the unit test checks the edge).
      ['stale timestamp', h.wx.notification(orderId, { timestamp: Math.floor(Date.now() / 1000) - 600 }), 401, 'SIGN_ERROR'],
      ['future timestamp', h.wx.notification(orderId, { timestamp: Math.floor(Date.now() / 1000) + 600 }), 401, 'SIGN_ERROR'],
      ['tampered ciphertext (tag)', resigned(h.wx.notification(orderId), tamperedBody.replace(/"id":"[^"]+"/, '"id":"x"')), 400, 'DECRYPT_ERROR'],
      ['wrong amount', h.wx.notification(orderId, { transaction: { amount: { total: 1, currency: 'CNY' } } }), 400, 'PARAM_ERROR'],
      ['wrong currency', h.wx.notification(orderId, { transaction: { amount: { total: 250, currency: 'USD' } } }), 400, 'PARAM_ERROR'],
      ['another merchant', h.wx.notification(orderId, { transaction: { mchid: '1900000999' } }), 400, 'PARAM_ERROR'],
      ['another app', h.wx.notification(orderId, { transaction: { appid: 'wx0000000000000000' } }), 400, 'PARAM_ERROR'],
      ['unknown order', h.wx.notification(foreignOrder), 404, 'ORDER_NOT_EXIST'],
    ];
    let refused = 0;
    for (const [what, n, status, code] of cases) {
      const res = await inject(h, n);
      expect(res.statusCode, what).toBe(status);
      expect(res.json(), what).toMatchObject({ code, message: expect.any(String) });
      refused += 1;
      await unchanged(h, jobId, orderId);
    }
    expect(refused).toBe(cases.length);

    // Replay: the genuine one is taken once; the same delivery again is refused.
    expect((await inject(h, genuine)).statusCode).toBe(204);
    const replay = await inject(h, genuine);
    expect(replay.statusCode).toBe(401);
    expect(replay.json().message).toContain('replay');
    expect(await paymentNotices(h)).toHaveLength(1);
  });
});

describe('duplicate notifications', () => {
  it('20 concurrent deliveries of one payment hand it over once and fulfil it once', async () => {
    const h = await paymentsHarness();
    const { jobId, orderId } = await jobAwaitingPayment(h);
    h.wx.markPaid(orderId);
    const all = Array.from({ length: 20 }, () => h.wx.notification(orderId));
    const answers = await Promise.all(all.map((n) => inject(h, n)));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(20).fill(204));
    const notices = await paymentNotices(h);
    expect(notices).toHaveLength(1);
    expect(notices[0]?.jobId).toBe(jobId);
    expect(await drainPayments(h, jobId)).toBe(1);
    expect(await h.t.jobs.get(jobId)).toMatchObject({ status: 'paid', paid: true });
    expect((await eventTypes(h, jobId)).filter((t) => t === 'paid')).toHaveLength(1);
    expect(await settlementOf(h.deps, jobId)).toBe(`o:${orderId}`);
    // WeChat keeps retrying for a while: later deliveries are taken (204) and change nothing.
    expect((await inject(h, h.wx.notification(orderId))).statusCode).toBe(204);
    expect(await drainPayments(h, jobId)).toBe(0);
  });
});

describe('OpenAPI', () => {
  it('documents the billing, balance payment and notification routes', async () => {
    const h = await paymentsHarness();
    const paths = Object.keys((await h.t.app.inject({ url: '/docs/json' })).json().paths);
    for (const p of ['/api/v1/profile', '/api/v1/billing/pending', '/api/v1/billing/deduct', '/api/v1/compare/jobs/{id}/pay-from-balance', '/api/v1/compare/jobs/{id}/payment', '/api/v1/wechatpay/notify']) {
      expect(paths).toContain(p);
    }
  });
});
