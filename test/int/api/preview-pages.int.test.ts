/**
 * The paged preview: the compare worker's page writer into the real local store, and
 * GET /compare/jobs/{id}/preview?page=N serving every page to the job's owner only.
 */
import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { PreviewPageSchema, type PreviewPage } from '../../../src/contracts/preview.js';
import { diffTables } from '../../../src/domain/diff.js';
import type { ObjectStore } from '../../../src/storage/object-store.js';
import { writePreviewPages } from '../../../workers/compare/preview-pages.js';
import { options, table } from '../../unit/domain/table-helpers.js';
import { buildTestApp } from '../../helpers/app.js';
import { cookieOf, upload } from './support.js';

/** Old rows 1…n; the new file changes every even row's qty, drops every 7th and adds `n/10`. */
function diffOf(n: number) {
  const header = ['id', 'name', 'qty'];
  const old = Array.from({ length: n }, (_, i) => [String(i + 1), `item ${i + 1}`, String(i)]);
  const neu = old.filter((_, i) => (i + 1) % 7 !== 0).map((r) => (Number(r[0]) % 2 === 0 ? [r[0]!, r[1]!, `${r[2]}0`] : r));
  for (let i = 1; i <= n / 10; i++) neu.push([String(n + i), 'new', '1']);
  return diffTables(table(header, old), table(header, neu), { key: ['id'], options: options() });
}

describe('preview pages', () => {
  it('stores every change on one page and serves each page to the owner', async () => {
    const t = await buildTestApp();
    const created = await upload(t.app);
    const id = created.json().jobId as string;
    const cookie = cookieOf(created);
    const result = diffOf(1_000);
    const total = result.changes.length;
    expect(total).toBeGreaterThan(600);

    const { pageCount } = await writePreviewPages(t.store, id, result, { pageSize: 100 });
    expect(pageCount).toBe(Math.ceil(total / 100));
    await t.jobs.transition(id, { from: ['queued'], to: 'compared', event: { type: 'compared' } });

    const get = (query: string, headers = { cookie }) => t.app.inject({ url: `/api/v1/compare/jobs/${id}/preview${query}`, headers });
    const pages: PreviewPage[] = [];
    for (let page = 0; page < pageCount; page++) {
      const res = await get(`?page=${page}`);
      expect(res.statusCode, `page ${page}`).toBe(200);
      expect(res.headers['content-type']).toContain('application/json');
      pages.push(PreviewPageSchema.parse(res.json()));
    }
    const seen = pages.flatMap((p) => p.changes.map((c) => `${c.type}:${c.key[0]}`));
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    expect(pages.map((p) => p.offset)).toEqual(pages.map((_, i) => i * 100));
    expect(pages.every((p) => p.totalChanges === total && p.pageCount === pageCount)).toBe(true);
    const counts = { added: 0, removed: 0, changed: 0 } as Record<string, number>;
    for (const p of pages) for (const c of p.changes) counts[c.type] = (counts[c.type] ?? 0) + 1;
    expect(counts).toEqual({ added: result.summary.rows.added, removed: result.summary.rows.removed, changed: result.summary.rows.changed });

    // Without `page`: page 0, as the preview always was.
    expect((await get('')).json()).toEqual(pages[0]);
    const past = await get(`?page=${pageCount}`);
    expect(past.statusCode).toBe(404);
    expect(past.json()).toMatchObject({ code: 'not_found', detail: `preview page ${pageCount} of job ${id} was not found` });
    for (const bad of ['?page=-1', '?page=abc', '?page=1.5']) expect((await get(bad)).statusCode, bad).toBe(400);
    const stranger = await t.app.inject({ url: `/api/v1/compare/jobs/${id}/preview?page=1` });
    expect(stranger.statusCode).toBe(404);
    expect(stranger.body).not.toContain('"changes"');
  });

  it('holds at most `concurrency` pages at once while writing', async () => {
    const t = await buildTestApp();
    const result = diffOf(2_000);
    let inFlight = 0;
    let most = 0;
    let biggest = 0;
    // The real local store, watched: how many page bodies are being written at the same time.
    const watched: ObjectStore = {
      ...t.store,
      put: async (key: string, body: Readable | Buffer, opts) => {
        most = Math.max(most, ++inFlight);
        biggest = Math.max(biggest, Buffer.isBuffer(body) ? body.length : 0);
        try {
          await new Promise((r) => setTimeout(r, 2));
          return await t.store.put(key, body, opts);
        } finally {
          inFlight--;
        }
      },
    };
    const { pageCount } = await writePreviewPages(watched, 'job-x', result, { pageSize: 50, concurrency: 3 });
    expect(pageCount).toBeGreaterThan(20);
    expect(most).toBe(3);
    expect(biggest).toBeLessThan(64 * 1024);
    const last = JSON.parse((await streamText(await t.store.get(`jobs/job-x/preview/${String(pageCount - 1).padStart(8, '0')}.json`)))) as PreviewPage;
    expect(last.offset + last.changes.length).toBe(result.changes.length);
  });

  it('stops writing once aborted', async () => {
    const t = await buildTestApp();
    const abort = new AbortController();
    abort.abort();
    await expect(writePreviewPages(t.store, 'job-y', diffOf(300), { pageSize: 10, signal: abort.signal })).rejects.toThrow();
    expect(await t.store.head('jobs/job-y/preview.json')).toBeNull();
  });
});

async function streamText(s: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
