/**
 * The whole service as a newcomer runs it: API and real worker processes on real Redis. Upload
 * two spreadsheets, watch the job, pay with the dev provider, download and re-read the results.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobEvent, JobView } from '../../../src/contracts/index.js';
import { readTable } from '../../../src/sheets/read-table.js';
import { startService, waitFor, type RunningService } from '../../helpers/service.js';

const OLD_CSV = 'id,name,qty\n1,apple,3\n2,pear,5\n3,plum,7\n4,fig,1\n';
const NEW_CSV = 'id,name,qty\n1,apple,3\n2,pear,6\n4,fig,1\n5,kiwi,2\n';

class Client {
  cookie = '';
  constructor(readonly base: string) {}
  async req(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookie) headers.set('cookie', this.cookie);
    const res = await fetch(path.startsWith('http') ? path : `${this.base}${path}`, { ...init, headers, redirect: 'manual' });
    const set = res.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0] ?? '';
    return res;
  }
  async upload(old: { name: string; body: string | Buffer }, neu: { name: string; body: string | Buffer }, key: string): Promise<string> {
    const form = new FormData();
    form.set('file1', new Blob([old.body]), old.name);
    form.set('file2', new Blob([neu.body]), neu.name);
    form.set('key', key);
    const res = await this.req('/api/v1/compare/jobs', { method: 'POST', body: form });
    expect(res.status, await res.clone().text()).toBe(202);
    return ((await res.json()) as { jobId: string }).jobId;
  }
  async job(id: string): Promise<JobView> {
    const res = await this.req(`/api/v1/compare/jobs/${id}`);
    expect(res.status).toBe(200);
    return (await res.json()) as JobView;
  }
  untilStatus(id: string, status: JobView['status']): Promise<JobView> {
    return waitFor(async () => {
      const job = await this.job(id);
      if (job.status === 'failed') throw new Error(`job failed: ${JSON.stringify(job.error)}`);
      return job.status === status ? job : undefined;
    }, 30_000, `job ${id} to be ${status}`);
  }
}

describe('compare flow end to end', () => {
  let svc: RunningService;
  beforeAll(async () => {
    svc = await startService({ FREE_ROWS: '0', PRICE_BASE_FEN: '100', PRICE_PER_10K_ROWS_FEN: '50' });
  });
  afterAll(async () => svc?.stop());

  it('uploads, compares, asks for payment, takes the dev payment and serves both files', async () => {
    const c = new Client(svc.baseUrl);
    const id = await c.upload({ name: 'old.csv', body: OLD_CSV }, { name: 'new.csv', body: NEW_CSV }, 'id');

    const awaiting = await c.untilStatus(id, 'awaiting_payment');
    expect(awaiting.summary?.rows).toMatchObject({ added: 1, removed: 1, changed: 1, unchanged: 2 });
    expect(awaiting.price).toBe(150);
    expect(awaiting.payment).toMatchObject({ amount: 150, currency: 'CNY' });

    const preview = await c.req(`/api/v1/compare/jobs/${id}/preview`);
    expect(preview.status).toBe(200);

    const unpaid = await c.req(`/api/v1/compare/jobs/${id}/export?format=xlsx`);
    expect(unpaid.status).toBe(402);
    expect(unpaid.headers.get('content-type')).toContain('application/problem+json');
    const codeUrl = awaiting.payment!.codeUrl;
    expect((await c.req(codeUrl)).status).toBe(200);
    expect((await c.req(codeUrl, { method: 'POST' })).status).toBeLessThan(300);

    await c.untilStatus(id, 'ready');
    const events = (await (await c.req(`/api/v1/compare/jobs/${id}/events`)).json()) as { events: JobEvent[] };
    const types = events.events.map((e) => e.type);
    for (const t of ['created', 'compared', 'payment_order_created', 'paid', 'export_ready']) expect(types).toContain(t);
    expect(types.indexOf('paid')).toBeGreaterThan(types.indexOf('payment_order_created'));

    const redirect = await c.req(`/api/v1/compare/jobs/${id}/export?format=xlsx`);
    expect(redirect.status).toBe(302);
    const xlsx = await c.req(redirect.headers.get('location')!);
    expect(xlsx.status).toBe(200);
    const path = join(svc.dataDir, 'downloaded.xlsx');
    await writeFile(path, Buffer.from(await xlsx.arrayBuffer()));
    const diffSheet = await readTable(path, 'xlsx', { sheet: 'Diff', maxRows: 1000 });
    const changes = diffSheet.rows.map((r) => String(r[0]));
    expect(changes.sort()).toEqual(['added', 'changed', 'removed']);

    const csvRedirect = await c.req(`/api/v1/compare/jobs/${id}/export?format=csv`);
    const csv = await (await c.req(csvRedirect.headers.get('location')!)).text();
    expect(csv.replace(/^\uFEFF/, '').split(/\r?\n/)[0]).toBe('change,key,column,old,new');
    expect(csv).toMatch(/changed,2,qty,5,6/);
  });

  it('skips payment for a free job and keeps jobs private to their owner', async () => {
    const free = await startService({ FREE_ROWS: '1000000' }, ['api', 'compare', 'payment', 'export']);
    try {
      const c = new Client(free.baseUrl);
      const id = await c.upload({ name: 'a.csv', body: OLD_CSV }, { name: 'b.csv', body: OLD_CSV }, 'id');
      const ready = await c.untilStatus(id, 'ready');
      expect(ready.paid).toBe(true);
      expect(ready.summary?.rows).toMatchObject({ added: 0, removed: 0, changed: 0, unchanged: 4 });
      const stranger = new Client(free.baseUrl);
      expect((await stranger.req(`/api/v1/compare/jobs/${id}`)).status).toBe(404);
    } finally {
      await free.stop();
    }
  });
});
