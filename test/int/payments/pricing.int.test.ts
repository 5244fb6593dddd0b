/**
 * The amount shown before paying is the amount charged, through the API of the real processes
 * (API, compare, payment and export workers, dev payment provider): the price a compared job
 * shows, its payment order, the 402 of the download, the dev payment page, what the payment
 * marks paid, and what paying from the balance debits. The expected price is worked out here
 * from the configured rules (base + per started 10k rows, free up to FREE_ROWS).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobEvent } from '../../../src/contracts/index.js';
import { apiCaller } from '../../helpers/api-caller.js';
import { startService, waitFor, type RunningService } from '../../helpers/service.js';

const RULES = { FREE_ROWS: '100', PRICE_BASE_FEN: '120', PRICE_PER_10K_ROWS_FEN: '35' };
const csv = (n: number, salt: string) => `id,qty\n${Array.from({ length: n }, (_, i) => `${i},${i % 7 === 0 ? salt : i}`).join('\n')}\n`;
const OLD_ROWS = 6_000;
const NEW_ROWS = 6_001;
const EXPECTED = Number(RULES.PRICE_BASE_FEN) + Math.ceil((OLD_ROWS + NEW_ROWS) / 10_000) * Number(RULES.PRICE_PER_10K_ROWS_FEN);

let svc: RunningService;
const api = apiCaller(() => svc.baseUrl);
const { req, until } = api;
const newJob = () => api.newJob(csv(OLD_ROWS, 'a'), csv(NEW_ROWS, 'b'));
const events = async (id: string) => ((await (await req(`/api/v1/compare/jobs/${id}/events`)).json()) as { events: JobEvent[] }).events;

describe('the amount shown before paying is the amount charged', () => {
  beforeAll(async () => {
    svc = await startService({ ...RULES, PAYMENT_RECONCILE_INTERVAL_MS: '300' });
  });
  afterAll(async () => svc?.stop());

  it('for a dev (QR code) payment', async () => {
    expect(EXPECTED).toBe(190);
    const id = await newJob();
    const shown = await until(id, 'awaiting_payment');
    expect(shown.summary?.rowCounts).toEqual({ old: OLD_ROWS, new: NEW_ROWS });
    expect(shown.price).toBe(EXPECTED);
    expect(shown.payment).toMatchObject({ amount: EXPECTED, currency: 'CNY' });
    const unpaid = await req(`/api/v1/compare/jobs/${id}/export?format=csv`);
    expect(unpaid.status).toBe(402);
    expect(await unpaid.json()).toMatchObject({ amount: EXPECTED, codeUrl: shown.payment!.codeUrl });
    const page = await (await req(shown.payment!.codeUrl)).text();
    expect(page).toContain(`¥${(EXPECTED / 100).toFixed(2)}`);

    const paid = await req(shown.payment!.codeUrl, { method: 'POST' });
    expect(paid.status).toBe(202);
    expect(await paid.json()).toMatchObject({ amount: EXPECTED });
    await until(id, 'ready');
    const paidEvents = (await events(id)).filter((e) => e.type === 'paid');
    expect(paidEvents).toEqual([expect.objectContaining({ data: expect.objectContaining({ method: 'order', amount: EXPECTED }) })]);
    const order = await svc.redis.redis.hgetall(svc.redis.keys.paymentOrder(shown.payment!.orderId));
    expect(order).toMatchObject({ status: 'paid', amount: String(EXPECTED) });
  });

  it('for a payment from the balance', async () => {
    const top = await req('/api/v1/billing/pending', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ amount: 500 }) });
    expect(top.status).toBe(201);
    const order = (await top.json()) as { codeUrl: string; amount: number };
    expect(order.amount).toBe(500);
    expect((await req(order.codeUrl, { method: 'POST' })).status).toBe(202);
    const balance = async () => ((await (await req('/api/v1/profile')).json()) as { balance: number }).balance;
    await waitFor(async () => ((await balance()) === 500 ? true : undefined), 10_000, 'top-up credited');

    const id = await newJob();
    const shown = await until(id, 'awaiting_payment');
    expect(shown.price).toBe(EXPECTED);
    const pay = await req(`/api/v1/compare/jobs/${id}/pay-from-balance`, { method: 'POST' });
    expect(pay.status).toBe(200);
    expect(await pay.json()).toMatchObject({ amount: EXPECTED, balance: 500 - EXPECTED });
    await until(id, 'ready');
    const profile = (await (await req('/api/v1/profile')).json()) as { balance: number; ledger: { kind: string; delta: number; ref?: string }[] };
    expect(profile.balance).toBe(500 - EXPECTED);
    expect(profile.ledger.filter((e) => e.ref === id)).toEqual([expect.objectContaining({ kind: 'job_payment', delta: -EXPECTED })]);
  });
});
