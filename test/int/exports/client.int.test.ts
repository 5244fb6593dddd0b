import { describe, expect, it } from 'vitest';
import { createExportStore } from '../../../src/exports/export-store.js';
import { ExportApiError, ExportClient } from '../../../src/exports/client.js';
import { runRecordExports } from '../../../src/exports/consumer.js';
import { createLogger } from '../../../src/lib/logger.js';
import { createRedis } from '../../../src/redis/client.js';
import { createApiKey } from '../../../src/services/api-keys.js';
import { buildTestApp } from '../../helpers/app.js';

describe('ExportClient', () => {
  it('opens, sends, completes and waits through the real routes', async () => {
    const t = await buildTestApp();
    const { key } = await createApiKey({ redis: t.redis, keys: t.keys }, { name: 'client' });
    const stop = new AbortController();
    const worker = runRecordExports({
      redis: t.redis, connect: () => createRedis({ url: t.config.redis.url, name: 'test-client' }), exports: createExportStore(t.redis, t.keys),
      store: t.store, log: createLogger({ level: 'silent', component: 'test' }), consumerName: 'c', concurrency: 1, leaseMs: 5000, blockMs: 100, maxAttempts: 3, dataDir: t.dataDir, signal: stop.signal,
    });
    // fetch over app.inject, so the client's real request building is exercised without a port
    const viaInject: typeof fetch = async (input, init) => {
      const u = new URL(String(input));
      const res = await t.app.inject({ method: (init?.method ?? 'GET') as 'GET', url: u.pathname + u.search, headers: init?.headers as Record<string, string>, payload: init?.body as string | undefined });
      return new Response(res.body, { status: res.statusCode, headers: { 'content-type': String(res.headers['content-type']) } });
    };
    const c = new ExportClient({ baseUrl: 'http://sheetdiff.test/', apiKey: key, fetch: viaInject });
    const e = await c.create({ format: 'csv', columns: [{ name: 'id', type: 'integer' }, { name: 'who', type: 'string' }] }, 'k1');
    expect((await c.addRecords(e.exportId, 0, [[1, 'a'], { id: 2, who: 'b' }])).recordCount).toBe(2);
    expect((await c.addRecords(e.exportId, 1, { body: '3,c\n', contentType: 'text/csv' })).recordCount).toBe(3);
    await c.complete(e.exportId);
    const done = await c.waitUntilDone(e.exportId, { intervalMs: 50, timeoutMs: 20_000 });
    expect(done).toMatchObject({ status: 'COMPLETED', recordCount: 3 });
    expect(done.sha256).toMatch(/^[0-9a-f]{64}$/);
    await expect(c.get('nope')).rejects.toBeInstanceOf(ExportApiError);
    stop.abort();
    await worker;
  });
});
