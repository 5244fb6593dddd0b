import { describe, expect, it } from 'vitest';
import { objectKeys } from '../../../src/storage/keys.js';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { cookieOf, driveToReady, upload } from './support.js';

async function createJob(t: TestApp) {
  const res = await upload(t.app);
  expect(res.statusCode).toBe(202);
  return { id: res.json().jobId as string, cookie: cookieOf(res) };
}

describe('GET /compare/jobs/{id}', () => {
  it('returns 404 to another browser and for unknown ids', async () => {
    const t = await buildTestApp();
    const { id, cookie } = await createJob(t);
    expect((await t.app.inject({ url: `/api/v1/compare/jobs/${id}`, headers: { cookie } })).statusCode).toBe(200);
    const stranger = await t.app.inject({ url: `/api/v1/compare/jobs/${id}` });
    expect(stranger.statusCode).toBe(404);
    expect(stranger.json()).toMatchObject({ code: 'not_found', status: 404 });
    const other = await t.app.inject({ url: `/api/v1/compare/jobs/${id}/events`, headers: { cookie: cookieOf(stranger) } });
    expect(other.statusCode).toBe(404);
    const unknown = await t.app.inject({ url: '/api/v1/compare/jobs/AAAAAAAAAAAAAAAAAAAAAA', headers: { cookie } });
    expect(unknown.statusCode).toBe(404);
  });

  it('ignores a cookie with a forged signature', async () => {
    const t = await buildTestApp();
    const { id, cookie } = await createJob(t);
    const forged = cookie.replace(/\.[^.]+$/, '.AAAA');
    expect((await t.app.inject({ url: `/compare/jobs/${id}`, headers: { cookie: forged } })).statusCode).toBe(404);
  });

  it('shows payment details while awaiting payment and 410 once expired', async () => {
    const t = await buildTestApp();
    const { id, cookie } = await createJob(t);
    await t.jobs.transition(id, { from: ['queued'], to: 'compared', patch: { price: 150 }, event: { type: 'compared' } });
    const payment = { orderId: `sd${id}`, amount: 150, codeUrl: `http://localhost:8080/dev/pay/sd${id}`, expiresAt: t.clock.now() + 60_000 };
    await t.jobs.transition(id, { from: ['compared'], to: 'awaiting_payment', patch: { payment }, event: { type: 'payment_order_created' } });
    const view = (await t.app.inject({ url: `/compare/jobs/${id}`, headers: { cookie } })).json();
    expect(view).toMatchObject({ status: 'awaiting_payment', price: 150, payment: { amount: 150, currency: 'CNY', codeUrl: payment.codeUrl } });
    expect(view.links).toMatchObject({ exportXlsx: `/api/v1/compare/jobs/${id}/export?format=xlsx` });

    t.clock.advance(t.config.jobs.retentionMs + 1);
    const gone = await t.app.inject({ url: `/compare/jobs/${id}`, headers: { cookie } });
    expect(gone.statusCode).toBe(410);
    expect(gone.json().code).toBe('gone');
  });
});

describe('GET /compare/jobs/{id}/export', () => {
  it('answers 402 with the payment details, 409 while exporting, then 302 to a signed link', async () => {
    const t = await buildTestApp();
    const { id, cookie } = await createJob(t);
    const url = `/api/v1/compare/jobs/${id}/export?format=xlsx`;
    const unpaid = await t.app.inject({ url, headers: { cookie } });
    expect(unpaid.statusCode).toBe(402);
    expect(unpaid.json()).toMatchObject({ code: 'payment_required', status: 402, jobStatus: 'queued' });

    await t.jobs.transition(id, { from: ['queued'], to: 'compared', patch: { price: 100 }, event: { type: 'compared' } });
    const payment = { orderId: `sd${id}`, amount: 100, codeUrl: 'http://localhost:8080/dev/pay/x', expiresAt: t.clock.now() + 60_000 };
    await t.jobs.transition(id, { from: ['compared'], to: 'awaiting_payment', patch: { payment }, event: { type: 'order' } });
    const awaiting = await t.app.inject({ url, headers: { cookie } });
    expect(awaiting.statusCode).toBe(402);
    expect(awaiting.json()).toMatchObject({ amount: 100, currency: 'CNY', codeUrl: payment.codeUrl, orderId: `sd${id}` });

    await t.jobs.transition(id, { from: ['awaiting_payment'], to: 'exporting', patch: { paid: true }, event: { type: 'paid' } });
    const exporting = await t.app.inject({ url, headers: { cookie } });
    expect(exporting.statusCode).toBe(409);
    expect(exporting.headers['retry-after']).toBe('5');

    const key = objectKeys.artefact(id, 'xlsx');
    await t.store.put(key, Buffer.from('fake xlsx bytes'));
    await t.jobs.transition(id, { from: ['exporting'], to: 'ready', patch: { artefacts: { xlsx: key } }, event: { type: 'ready' } });
    const ready = await t.app.inject({ url, headers: { cookie } });
    expect(ready.statusCode).toBe(302);
    const link = new URL(ready.headers.location as string);
    expect(link.pathname).toBe(`/files/${key}`);
    expect(link.searchParams.get('name')).toBe('diff-old-vs-new.xlsx');

    const file = await t.app.inject({ url: link.pathname + link.search });
    expect(file.statusCode).toBe(200);
    expect(file.body).toBe('fake xlsx bytes');
    expect(file.headers['content-length']).toBe('15');
    expect(file.headers['content-disposition']).toContain('filename="diff-old-vs-new.xlsx"');
  });

  it('answers 410 after cancel, and cancel is idempotent', async () => {
    const t = await buildTestApp();
    const { id, cookie } = await createJob(t);
    const first = await t.app.inject({ method: 'POST', url: `/compare/jobs/${id}/cancel`, headers: { cookie } });
    expect(first.statusCode).toBe(200);
    expect(first.json().status).toBe('cancelled');
    const again = await t.app.inject({
      method: 'POST',
      url: `/api/v1/compare/jobs/${id}/cancel`,
      headers: { cookie, 'content-type': 'application/json' },
    });
    expect(again.statusCode).toBe(200);
    expect(again.json().status).toBe('cancelled');
    const events = await t.jobs.events(id);
    expect(events.filter((e) => e.type === 'cancelled')).toHaveLength(1);
    const exp = await t.app.inject({ url: `/compare/jobs/${id}/export?format=csv`, headers: { cookie } });
    expect(exp.statusCode).toBe(410);
  });

  it('refuses to cancel a ready job', async () => {
    const t = await buildTestApp();
    const { id, cookie } = await createJob(t);
    await driveToReady(t.jobs, id, {});
    const res = await t.app.inject({ method: 'POST', url: `/compare/jobs/${id}/cancel`, headers: { cookie } });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('invalid_state');
  });
});

describe('GET /compare/jobs/{id}/preview', () => {
  it('answers 409 before the job is compared, then the stored preview', async () => {
    const t = await buildTestApp();
    const { id, cookie } = await createJob(t);
    const early = await t.app.inject({ url: `/compare/jobs/${id}/preview`, headers: { cookie } });
    expect(early.statusCode).toBe(409);
    await t.store.put(objectKeys.artefact(id, 'preview'), Buffer.from(JSON.stringify({ rows: [{ change: 'added' }] })));
    await t.jobs.transition(id, { from: ['queued'], to: 'compared', event: { type: 'compared' } });
    const res = await t.app.inject({ url: `/compare/jobs/${id}/preview`, headers: { cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('application/json');
    expect(res.json()).toEqual({ rows: [{ change: 'added' }] });
  });
});

describe('GET /compare/jobs/{id}/events', () => {
  it('returns the history, after an id when asked', async () => {
    const t = await buildTestApp();
    const { id, cookie } = await createJob(t);
    await t.jobs.transition(id, { from: ['queued'], to: 'comparing', event: { type: 'compare_started' } });
    const all = (await t.app.inject({ url: `/compare/jobs/${id}/events`, headers: { cookie } })).json().events;
    expect(all.map((e: { type: string }) => e.type)).toEqual(['created', 'compare_started']);
    const after = await t.app.inject({ url: `/compare/jobs/${id}/events?lastEventId=${all[0].id}`, headers: { cookie } });
    expect(after.json().events.map((e: { type: string }) => e.type)).toEqual(['compare_started']);
    const bad = await t.app.inject({ url: `/compare/jobs/${id}/events`, headers: { cookie, 'last-event-id': 'nope' } });
    expect(bad.statusCode).toBe(400);
  });
});
