import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../../helpers/app.js';
import { upload } from './support.js';

describe('health and failure modes', () => {
  it('is live and ready with Redis and storage up', async () => {
    const t = await buildTestApp();
    expect((await t.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject({ url: '/api/v1/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ok', checks: { redis: 'ok', storage: 'ok' } });
  });

  it('starts without Redis: /healthz 200, /readyz and writes 503 redis_unavailable', async () => {
    const t = await buildTestApp({ redisUrl: 'redis://127.0.0.1:1' });
    expect((await t.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    const ready = await t.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.headers['content-type']).toContain('application/problem+json');
    expect(ready.json()).toMatchObject({ code: 'redis_unavailable', checks: { storage: 'ok' } });

    const post = await upload(t.app);
    expect(post.statusCode).toBe(503);
    expect(post.json()).toMatchObject({ code: 'redis_unavailable', status: 503 });
    const withKey = await upload(t.app, { headers: { 'idempotency-key': 'x' } });
    expect(withKey.statusCode).toBe(503);
    const read = await t.app.inject({ url: '/compare/jobs/AAAAAAAAAAAAAAAAAAAAAA' });
    expect(read.statusCode).toBe(503);
    expect(read.json().code).toBe('redis_unavailable');
    const bearer = await t.app.inject({ url: '/compare/jobs/x', headers: { authorization: `Bearer sdk_${'a'.repeat(43)}` } });
    expect(bearer.statusCode).toBe(503);
  });

  it('answers unknown routes with a 404 problem', async () => {
    const t = await buildTestApp();
    const res = await t.app.inject({ url: '/api/v1/nope?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toEqual({
      type: 'urn:sheetdiff:problem:not_found',
      title: 'Not Found',
      status: 404,
      code: 'not_found',
      detail: 'no route for GET /api/v1/nope',
      instance: '/api/v1/nope',
    });
  });

  it('publishes an OpenAPI document of the versioned routes', async () => {
    const t = await buildTestApp();
    const res = await t.app.inject({ url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    const paths = Object.keys(doc.paths);
    for (const p of [
      '/api/v1/compare/jobs',
      '/api/v1/compare/jobs/{id}',
      '/api/v1/compare/jobs/{id}/events',
      '/api/v1/compare/jobs/{id}/preview',
      '/api/v1/compare/jobs/{id}/export',
      '/api/v1/compare/jobs/{id}/cancel',
      '/api/v1/healthz',
      '/api/v1/readyz',
      '/api/v1/dev/pay/{orderId}',
    ]) {
      expect(paths).toContain(p);
    }
    expect(paths).not.toContain('/compare/jobs');
    const post = doc.paths['/api/v1/compare/jobs'].post;
    expect(Object.keys(post.requestBody.content)).toEqual(['multipart/form-data']);
    expect(post.requestBody.content['multipart/form-data'].schema.properties.file1.format).toBe('binary');
    expect(Object.keys(post.responses)).toContain('202');
    expect((await t.app.inject({ url: '/docs' })).statusCode).toBeLessThan(400);
  });
});
