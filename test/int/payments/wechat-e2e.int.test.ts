/**
 * The paid flow with real processes: API, compare, payment and export workers on real Redis, the
 * real plugin talking to the test WeChat Pay over HTTP, notifications sent to the API over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCaller } from '../../helpers/api-caller.js';
import { startService, type RunningService } from '../../helpers/service.js';
import { wechatEnv, wechatTestKeys } from '../../helpers/wechatpay-keys.js';
import { startWechatTestServer, type WechatTestServer } from '../../helpers/wechatpay-server.js';

let svc: RunningService;
let wx: WechatTestServer;
const api = apiCaller(() => svc.baseUrl);
const { req, until } = api;
const newJob = () => api.newJob('id,qty\n1,3\n2,5\n', 'id,qty\n1,4\n3,1\n');

describe('WeChat Pay end to end (real worker processes)', () => {
  beforeAll(async () => {
    const keys = wechatTestKeys();
    wx = await startWechatTestServer(keys, 'public-key');
    svc = await startService({ ...wechatEnv(keys, wx.baseUrl, 'public-key'), FREE_ROWS: '0', PAYMENT_RECONCILE_INTERVAL_MS: '300', PAYMENT_RECONCILE_AFTER_SECONDS: '1' });
  });
  afterAll(async () => {
    await svc?.stop();
    await wx?.close();
  });

  it('QR code → payment → notification → paid → download', async () => {
    const id = await newJob();
    const waiting = await until(id, 'awaiting_payment');
    expect(waiting.payment?.codeUrl).toMatch(/^weixin:\/\/wxpay\/bizpayurl/);
    // Shown = charged: the default rules (100 fen + 50 per started 10k rows; 4 rows here).
    expect(waiting.price).toBe(150);
    expect(waiting.payment?.amount).toBe(150);
    expect(wx.orders.get(waiting.payment!.orderId)?.amount.total).toBe(150);
    expect((await req(`/api/v1/compare/jobs/${id}/export?format=csv`)).status).toBe(402);
    wx.markPaid(waiting.payment!.orderId);
    const sent = await Promise.all(Array.from({ length: 5 }, () => wx.send(wx.notification(waiting.payment!.orderId))));
    expect(sent.map((s) => s.status)).toEqual(Array(5).fill(204));
    await until(id, 'ready');
    const events = (await (await req(`/api/v1/compare/jobs/${id}/events`)).json()) as { events: { type: string; data?: unknown }[] };
    expect(events.events.filter((e) => e.type === 'paid')).toEqual([expect.objectContaining({ data: expect.objectContaining({ amount: 150 }) })]);
    expect((await req(`/api/v1/compare/jobs/${id}/export?format=csv`)).status).toBe(302);
  });

  it('a lost notification: reconciliation marks the job paid', async () => {
    const id = await newJob();
    const waiting = await until(id, 'awaiting_payment');
    wx.markPaid(waiting.payment!.orderId); // no notification at all
    await until(id, 'ready');
  });
});
