import { describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { cookieOf, NEW_CSV, OLD_CSV, upload } from './support.js';

async function jobCount(t: TestApp): Promise<number> {
  return t.testRedis.redis.xlen(t.keys.stream('compare'));
}

describe('Idempotency-Key on POST /compare/jobs', () => {
  it('replays the first response for the same key and body', async () => {
    const t = await buildTestApp();
    const first = await upload(t.app, { headers: { 'idempotency-key': 'k-1' } });
    expect(first.statusCode).toBe(202);
    const cookie = cookieOf(first);
    const second = await upload(t.app, { headers: { 'idempotency-key': 'k-1', cookie } });
    expect(second.statusCode).toBe(202);
    expect(second.json()).toEqual(first.json());
    expect(second.headers.location).toBe(first.headers.location);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(await jobCount(t)).toBe(1);
    // The replay stored nothing: only the first job's folder exists.
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(`${t.dataDir}/objects/jobs`)).toEqual([first.json().jobId]);
  });

  it('answers 422 for the same key with a different body', async () => {
    const t = await buildTestApp();
    const first = await upload(t.app, { headers: { 'idempotency-key': 'k-2' } });
    const cookie = cookieOf(first);
    const other = await upload(t.app, { fields: { key: 'name' }, headers: { 'idempotency-key': 'k-2', cookie } });
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe('idempotency_key_reused');
    expect(await jobCount(t)).toBe(1);
  });

  it('scopes keys per caller', async () => {
    const t = await buildTestApp();
    const a = await upload(t.app, { headers: { 'idempotency-key': 'shared' } });
    const b = await upload(t.app, { headers: { 'idempotency-key': 'shared' } });
    expect(b.statusCode).toBe(202);
    expect(b.json().jobId).not.toBe(a.json().jobId);
  });

  it('lets a key be retried after a failed request', async () => {
    const t = await buildTestApp();
    const bad = await upload(t.app, { fields: { options: '{' }, headers: { 'idempotency-key': 'k-3' } });
    expect(bad.statusCode).toBe(400);
    const good = await upload(t.app, { headers: { 'idempotency-key': 'k-3', cookie: cookieOf(bad) } });
    expect(good.statusCode).toBe(202);
  });

  it('creates exactly one job for concurrent requests with the same key', async () => {
    const t = await buildTestApp();
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    // Any authenticated route hands out the account cookie (here with a 404).
    const first = await fetch(`${address}/compare/jobs/unknown`);
    const cookie = first.headers.get('set-cookie')?.split(';')[0] ?? '';
    expect(cookie).toMatch(/^sd_account=/);
    const send = () => {
      // FormData picks its own boundary per request: the fingerprint must not depend on it.
      const form = new FormData();
      form.set('key', 'id');
      form.set('file1', new Blob([OLD_CSV]), 'old.csv');
      form.set('file2', new Blob([NEW_CSV]), 'new.csv');
      return fetch(`${address}/api/v1/compare/jobs`, { method: 'POST', body: form, headers: { cookie, 'idempotency-key': 'race' } });
    };
    const responses = await Promise.all(Array.from({ length: 6 }, send));
    const bodies = await Promise.all(responses.map((r) => r.json() as Promise<{ jobId: string }>));
    expect(responses.map((r) => r.status)).toEqual(Array(6).fill(202));
    expect(new Set(bodies.map((b) => b.jobId)).size).toBe(1);
    expect(responses.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(5);
    expect(await jobCount(t)).toBe(1);
  });
});

describe('Idempotency-Key on POST /compare/jobs/{id}/cancel', () => {
  it('replays the cancel answer', async () => {
    const t = await buildTestApp();
    const created = await upload(t.app);
    const cookie = cookieOf(created);
    const url = `/compare/jobs/${created.json().jobId}/cancel`;
    const a = await t.app.inject({ method: 'POST', url, headers: { cookie, 'idempotency-key': 'c1' } });
    const b = await t.app.inject({ method: 'POST', url, headers: { cookie, 'idempotency-key': 'c1' } });
    expect(a.statusCode).toBe(200);
    expect(b.json()).toEqual(a.json());
    expect(b.headers['idempotent-replayed']).toBe('true');
    const elsewhere = await t.app.inject({ method: 'POST', url: `/compare/jobs/AAAAAAAAAAAAAAAAAAAAAA/cancel`, headers: { cookie, 'idempotency-key': 'c1' } });
    expect(elsewhere.statusCode).toBe(422);
  });
});
