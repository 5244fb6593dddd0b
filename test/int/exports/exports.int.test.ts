import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createExportStore } from '../../../src/exports/export-store.js';
import { runRecordExports } from '../../../src/exports/consumer.js';
import { createLogger } from '../../../src/lib/logger.js';
import { createRedis } from '../../../src/redis/client.js';
import { createApiKey } from '../../../src/services/api-keys.js';
import { readTable } from '../../../src/sheets/read-table.js';
import { buildTestApp, type TestApp } from '../../helpers/app.js';

const COLUMNS = [
  { name: 'id', type: 'integer' },
  { name: 'name', type: 'string' },
  { name: 'amount', type: 'currency' },
  { name: 'day', type: 'date' },
  { name: 'ok', type: 'boolean' },
];

async function setup(opts: { concurrency?: number } = {}) {
  const t = await buildTestApp();
  const { key } = await createApiKey({ redis: t.redis, keys: t.keys }, { name: 'billing' });
  const other = await createApiKey({ redis: t.redis, keys: t.keys }, { name: 'other' });
  const stop = new AbortController();
  const worker = runRecordExports({
    redis: t.redis,
    connect: () => createRedis({ url: t.config.redis.url, name: 'test-records' }),
    exports: createExportStore(t.redis, t.keys),
    store: t.store,
    log: createLogger({ level: 'silent', component: 'test' }),
    consumerName: 'test-consumer',
    concurrency: opts.concurrency ?? 2,
    leaseMs: 5_000,
    blockMs: 100,
    maxAttempts: 3,
    dataDir: t.dataDir,
    signal: stop.signal,
  });
  const close = t.close;
  t.close = async () => {
    stop.abort();
    await worker;
    await close();
  };
  return { t, auth: { authorization: `Bearer ${key}` }, otherAuth: { authorization: `Bearer ${other.key}` } };
}

async function waitDone(t: TestApp, auth: Record<string, string>, id: string) {
  for (let i = 0; i < 200; i++) {
    const r = (await t.app.inject({ url: `/api/v1/exports/${id}`, headers: auth })).json();
    if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(r.status)) return r;
    await new Promise((ok) => setTimeout(ok, 50));
  }
  throw new Error('export did not finish');
}

async function download(t: TestApp, url: string): Promise<Buffer> {
  const u = new URL(url);
  const res = await t.app.inject({ url: u.pathname + u.search });
  expect(res.statusCode).toBe(200);
  return res.rawPayload;
}

describe('record exports', () => {
  it('streams batches, stores a retried seq once, renders xlsx with a matching sha256', async () => {
    const { t, auth, otherAuth } = await setup();
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/exports', headers: { ...auth, 'idempotency-key': 'open-1' }, payload: { format: 'xlsx', filename: 'orders', columns: COLUMNS } });
    expect(created.statusCode).toBe(201);
    const id = created.json().exportId as string;
    const again = await t.app.inject({ method: 'POST', url: '/api/v1/exports', headers: { ...auth, 'idempotency-key': 'open-1' }, payload: { format: 'xlsx', filename: 'orders', columns: COLUMNS } });
    expect(again.json().exportId).toBe(id);

    const nd = { ...auth, 'content-type': 'application/x-ndjson' };
    const batch0 = '[1,"=cmd|calc",12.5,"2024-03-01",true]\n{"id":2,"name":"北京","amount":"-3.25","day":"2024-03-02","ok":"false"}\n';
    const r0 = await t.app.inject({ method: 'POST', url: `/api/v1/exports/${id}/records?seq=0`, headers: nd, payload: batch0 });
    expect(r0.json()).toMatchObject({ seq: 0, records: 2, duplicate: false, recordCount: 2 });
    const retry = await t.app.inject({ method: 'POST', url: `/api/v1/exports/${id}/records?seq=0`, headers: nd, payload: batch0 });
    expect(retry.json()).toMatchObject({ seq: 0, records: 2, duplicate: true, recordCount: 2 });
    const csv = await t.app.inject({ method: 'POST', url: `/api/v1/exports/${id}/records?seq=1`, headers: { ...auth, 'content-type': 'text/csv' }, payload: '3,"a, b",7,2024-03-03,1\r\n4,,,,\r\n' });
    expect(csv.json()).toMatchObject({ records: 2, recordCount: 4 });
    expect((await t.app.inject({ url: `/api/v1/exports/${id}`, headers: otherAuth })).statusCode).toBe(404);

    const done = await t.app.inject({ method: 'POST', url: `/api/v1/exports/${id}/complete`, headers: auth });
    expect(done.statusCode).toBe(202);
    const view = await waitDone(t, auth, id);
    expect(view).toMatchObject({ status: 'COMPLETED', progress: 100, recordCount: 4, filename: 'orders.xlsx' });
    const file = await download(t, view.url);
    expect(file.length).toBe(view.fileSize);
    expect(createHash('sha256').update(file).digest('hex')).toBe(view.sha256);
    const p = path.join(t.dataDir, 'back.xlsx');
    await writeFile(p, file);
    const back = await readTable(p, 'xlsx', { maxRows: 10 });
    expect(back.rows).toEqual([
      [1, '=cmd|calc', 12.5, '2024-03-01', true],
      [2, '北京', -3.25, '2024-03-02', false],
      [3, 'a, b', 7, '2024-03-03', true],
      [4, null, null, null, null],
    ]);
    await t.close();
  });

  it('renders CSV in one request, with a BOM and neutralised formulas', async () => {
    const { t, auth } = await setup();
    // numbers as sent: the file shows each one as JavaScript prints its value, whatever the text was
    const body = `${JSON.stringify({ format: 'csv', columns: [{ name: 'k', type: 'string' }, { name: 'n', type: 'number' }] })}\n["@SUM(A1)",-12.5]\n["plain",1]\n["raw",1.50]\n["exp",1E3]\n["zero",-0]\n["tiny",0.0000001]\n{"k":"obj","n":"2.50"}\n`;
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/exports', headers: { ...auth, 'content-type': 'application/x-ndjson' }, payload: body });
    expect(res.statusCode).toBe(202);
    const view = await waitDone(t, auth, res.json().exportId);
    expect(view.status).toBe('COMPLETED');
    const text = (await download(t, view.url)).toString('utf8');
    expect(text).toBe("\uFEFFk,n\r\n'@SUM(A1),-12.5\r\nplain,1\r\nraw,1.5\r\nexp,1000\r\nzero,0\r\ntiny,1e-7\r\nobj,2.5\r\n");
    await t.close();
  });

  it('fails the export naming the batch and line of a record that does not fit', async () => {
    const { t, auth } = await setup();
    const id = (await t.app.inject({ method: 'POST', url: '/api/v1/exports', headers: auth, payload: { format: 'csv', columns: COLUMNS } })).json().exportId;
    const nd = { ...auth, 'content-type': 'application/x-ndjson' };
    const bad = await t.app.inject({ method: 'POST', url: `/api/v1/exports/${id}/records?seq=4`, headers: nd, payload: '[1,"a",1,"2024-01-01",true]\n["x","b",1,"2024-01-01",true]\n' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toMatchObject({ code: 'invalid_record' });
    expect(bad.json().detail ?? bad.json().message ?? '').toMatch(/batch 4, line 2.*"id"/);
    const view = (await t.app.inject({ url: `/api/v1/exports/${id}`, headers: auth })).json();
    expect(view.status).toBe('FAILED');
    expect(view.error.code).toBe('invalid_record');
    const late = await t.app.inject({ method: 'POST', url: `/api/v1/exports/${id}/records?seq=5`, headers: nd, payload: '[1]\n' });
    expect(late.statusCode).toBe(409);
    await t.close();
  });

  it('cancels with DELETE and refuses unknown content types', async () => {
    const { t, auth } = await setup();
    const id = (await t.app.inject({ method: 'POST', url: '/api/v1/exports', headers: auth, payload: { format: 'csv', columns: COLUMNS } })).json().exportId;
    const wrong = await t.app.inject({ method: 'POST', url: `/api/v1/exports/${id}/records`, headers: { ...auth, 'content-type': 'text/plain' }, payload: 'x' });
    expect(wrong.statusCode).toBe(415);
    const del = await t.app.inject({ method: 'DELETE', url: `/api/v1/exports/${id}`, headers: auth });
    expect(del.json().status).toBe('CANCELLED');
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/exports/${id}/complete`, headers: auth })).statusCode).toBe(409);
    await t.close();
  });
});
