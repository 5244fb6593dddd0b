import { describe, expect, it } from 'vitest';
import { PaymentMessageSchema } from '../../../src/contracts/index.js';
import { orderIdForJob } from '../../../src/services/payments.js';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { wechatEnv, wechatTestKeys } from '../../helpers/wechatpay-keys.js';
import { upload } from './support.js';

async function awaitingPayment(t: TestApp) {
  const id = (await upload(t.app)).json().jobId as string;
  const orderId = orderIdForJob(id);
  await t.jobs.transition(id, { from: ['queued'], to: 'compared', patch: { price: 250 }, event: { type: 'compared' } });
  const payment = { orderId, amount: 250, codeUrl: `http://localhost:8080/dev/pay/${orderId}`, expiresAt: t.clock.now() + 60_000 };
  await t.jobs.transition(id, { from: ['compared'], to: 'awaiting_payment', patch: { payment }, event: { type: 'order' } });
  return { id, orderId };
}

async function paymentMessages(t: TestApp) {
  const entries = await t.testRedis.redis.xrange(t.keys.stream('payment'), '-', '+');
  return entries.map(([, fields]) => PaymentMessageSchema.parse(JSON.parse(fields[1]!)));
}

describe('dev payment endpoints', () => {
  it('shows the order page and hands a PaymentNotified message to the payment worker', async () => {
    const t = await buildTestApp();
    const { id, orderId } = await awaitingPayment(t);
    const page = await t.app.inject({ url: `/dev/pay/${orderId}` });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('¥2.50');
    expect(page.body).toContain(`action="/dev/pay/${orderId}"`);

    const form = await t.app.inject({
      method: 'POST',
      url: `/dev/pay/${orderId}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      payload: '',
    });
    expect(form.statusCode).toBe(202);
    expect(form.body).toContain('Payment sent');
    const messages = await paymentMessages(t);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      type: 'PaymentNotified',
      jobId: id,
      payload: { orderId, transactionId: `dev-${orderId}`, amount: 250 },
    });

    const json = await t.app.inject({ method: 'POST', url: `/api/v1/dev/pay/${orderId}`, headers: { 'idempotency-key': 'p1' } });
    expect(json.statusCode).toBe(202);
    expect(json.json()).toMatchObject({ orderId, jobId: id, amount: 250, status: 'payment_sent' });
  });

  it('answers 404 for an unknown order', async () => {
    const t = await buildTestApp();
    const res = await t.app.inject({ method: 'POST', url: `/dev/pay/sdAAAAAAAAAAAAAAAAAAAAAA` });
    expect(res.statusCode).toBe(404);
    expect((await t.app.inject({ url: '/dev/pay/whatever' })).statusCode).toBe(404);
  });

  it('is not registered with another payment provider', async () => {
    const t = await buildTestApp({ env: wechatEnv(wechatTestKeys(), 'http://127.0.0.1:9/') });
    const res = await t.app.inject({ url: '/dev/pay/sdAAAAAAAAAAAAAAAAAAAAAA' });
    expect(res.statusCode).toBe(404);
    expect(res.json().detail).toContain('no route');
  });
});
