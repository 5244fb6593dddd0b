import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { CompareRequestedSchema } from '../../../src/contracts/index.js';
import { createLogger } from '../../../src/lib/logger.js';
import { runConsumer } from '../../../src/streams/index.js';
import { buildTestApp } from '../../helpers/app.js';
import { cookieOf, upload } from './support.js';

interface Frame {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/** A minimal SSE client over a real socket: frames in order, plus the end of the stream. */
function openSse(url: string, headers: Record<string, string>) {
  const frames: Frame[] = [];
  const waiters: (() => void)[] = [];
  let buffer = '';
  let status = 0;
  let contentType = '';
  let resolveEnd: () => void = () => undefined;
  const ended = new Promise<void>((r) => (resolveEnd = r));
  const req = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
    status = res.statusCode ?? 0;
    contentType = String(res.headers['content-type']);
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      let i: number;
      while ((i = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        const f: Frame = {};
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) f.comment = line.slice(1).trim();
          else {
            const [k, ...v] = line.split(': ');
            if (k === 'id' || k === 'event' || k === 'data') f[k] = v.join(': ');
          }
        }
        frames.push(f);
        waiters.splice(0).forEach((w) => w());
      }
    });
    res.on('end', () => resolveEnd());
    res.on('close', () => resolveEnd());
  });
  req.on('error', () => resolveEnd());
  return {
    frames,
    ended,
    status: () => status,
    contentType: () => contentType,
    close: () => req.destroy(),
    /** Waits until a frame with `event` arrives and returns it. */
    async waitFor(event: string, ms = 5_000): Promise<Frame> {
      const deadline = Date.now() + ms;
      for (;;) {
        const f = frames.find((x) => x.event === event);
        if (f) return f;
        if (Date.now() > deadline) throw new Error(`no ${event} frame; got ${JSON.stringify(frames)}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 100);
        });
      }
    },
  };
}

describe('GET /compare/jobs/{id}/events (SSE)', () => {
  it('resumes after Last-Event-ID, then streams live events until a terminal status', async () => {
    const t = await buildTestApp();
    const created = await upload(t.app);
    const id = created.json().jobId as string;
    const cookie = cookieOf(created);
    await t.jobs.transition(id, { from: ['queued'], to: 'comparing', event: { type: 'compare_started' } });
    const [first] = await t.jobs.events(id);
    const base = await t.app.listen({ port: 0, host: '127.0.0.1' });

    const sse = openSse(`${base}/api/v1/compare/jobs/${id}/events`, { cookie, 'last-event-id': first!.id });
    const started = await sse.waitFor('compare_started');
    expect(sse.status()).toBe(200);
    expect(sse.contentType()).toContain('text/event-stream');
    expect(sse.frames.some((f) => f.event === 'created')).toBe(false);
    expect(JSON.parse(started.data!)).toMatchObject({ type: 'compare_started', status: 'comparing' });

    await t.jobs.transition(id, { from: ['comparing'], to: 'compared', event: { type: 'compared', data: { rows: 3 } } });
    const live = await sse.waitFor('compared');
    expect(live.id).toMatch(/^\d+-\d+$/);
    expect(JSON.parse(live.data!).data).toEqual({ rows: 3 });

    await t.jobs.transition(id, { from: ['compared'], to: 'cancelled', event: { type: 'cancelled' } });
    await sse.waitFor('cancelled');
    await sse.ended;
    expect(t.app.liveEvents.channelCount()).toBe(0);
  });

  it('accepts ?lastEventId=, sends keepalives and unsubscribes when the client leaves', async () => {
    const t = await buildTestApp({ ssePollMs: 150 });
    const created = await upload(t.app);
    const id = created.json().jobId as string;
    const [first] = await t.jobs.events(id);
    const base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const sse = openSse(`${base}/compare/jobs/${id}/events?lastEventId=${first!.id}`, { cookie: cookieOf(created) });
    await expect.poll(() => sse.frames.some((f) => f.comment === 'keepalive'), { timeout: 3_000 }).toBe(true);
    expect(sse.frames.filter((f) => f.event)).toEqual([]);
    expect(t.app.liveEvents.channelCount()).toBe(1);
    sse.close();
    await expect.poll(() => t.app.liveEvents.channelCount(), { timeout: 3_000 }).toBe(0);
  });

  it('ends open streams when the app closes', async () => {
    const t = await buildTestApp();
    const created = await upload(t.app);
    const base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const sse = openSse(`${base}/compare/jobs/${created.json().jobId}/events`, { cookie: cookieOf(created) });
    await sse.waitFor('created');
    const started = Date.now();
    await t.close();
    await sse.ended;
    // Without the preClose hook an open SSE request never completes, so close() hangs until the
    // test times out; the bound is generous because CI machines are shared and slow.
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it("streams a worker's claim and finish events live: following a job marks it watched", async () => {
    // A fallback poll far beyond the test's patience: only announcements can deliver in time.
    const t = await buildTestApp({ ssePollMs: 120_000 });
    const created = await upload(t.app);
    const id = created.json().jobId as string;
    const base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const sse = openSse(`${base}/compare/jobs/${id}/events`, { cookie: cookieOf(created) });
    await sse.waitFor('created'); // the follower marked the job before its first read
    const consumer = runConsumer({
      redis: t.redis, url: t.config.redis.url, keys: t.keys, kind: 'compare', schema: CompareRequestedSchema, concurrency: 1,
      jobs: { ...t.config.jobs, blockMs: 100 }, consumerName: 'sse-test', log: createLogger({ level: 'silent', component: 'sse-test' }),
      route: () => ({ expect: ['queued'], running: 'comparing', record: false }),
      handle: async () => ({ to: 'cancelled', event: { type: 'cancelled' } }),
      maintenance: { enabled: false },
    });
    try {
      await sse.waitFor('compare_started', 5_000);
      await sse.waitFor('cancelled', 5_000);
      await sse.ended;
    } finally {
      await consumer.close();
    }
  });

  it('answers problem+json, not a stream, for another caller', async () => {
    const t = await buildTestApp();
    const created = await upload(t.app);
    const res = await t.app.inject({
      url: `/compare/jobs/${created.json().jobId}/events`,
      headers: { accept: 'text/event-stream' },
    });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });
});
