/**
 * One trace across the streams: with an in-memory span exporter, the API's request span and the
 * spans of the compare, payment and export workers (run in this process with their real
 * definitions, through the same job observer the worker processes use) share one trace id, and
 * each worker span is a child of the context written into its stream entry. The download, a later
 * request with its own trace, adds a span to the job's trace (child of the upload's context stored
 * with the job) that links to the download request.
 */
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope } from '../../../src/contracts/index.js';
import { createLogger } from '../../../src/lib/logger.js';
import { startTracing, type Tracing } from '../../../src/observability/tracing.js';
import { createRedis } from '../../../src/redis/client.js';
import { ensureGroups, runConsumer, type Consumer } from '../../../src/streams/index.js';
import { compareWorker } from '../../../workers/compare/handler.js';
import { exportWorker } from '../../../workers/export/handler.js';
import { paymentWorker } from '../../../workers/payment/handler.js';
import { jobObserver } from '../../../workers/shared/job-observer.js';
import type { WorkerDefinition, WorkerDeps } from '../../../workers/shared/types.js';
import { buildTestApp } from '../../helpers/app.js';
import { waitFor } from '../../helpers/service.js';
import { cookieOf, upload } from '../api/support.js';

const exporter = new InMemorySpanExporter();
let tracing: Tracing;
beforeAll(async () => {
  tracing = await startTracing({ serviceName: 'sheetdiff-test', exporter, hookImports: false });
});
afterAll(async () => tracing?.shutdown());

describe('trace context across the streams', () => {
  it('puts the upload, every worker span and the download of one job in one trace', async () => {
    expect(tracing.enabled).toBe(true);
    const t = await buildTestApp();
    const workerRedis = createRedis({ url: t.config.redis.url, name: 'trace-test-worker' });
    const log = createLogger({ level: 'silent', component: 'trace-test' });
    const deps: WorkerDeps = { config: t.config, redis: workerRedis, keys: t.keys, jobs: t.jobs, store: t.store, log };
    await ensureGroups(workerRedis, t.keys);
    const consumers: Consumer[] = [];
    const start = <M extends Envelope>(def: WorkerDefinition<M>) => {
      const observe = jobObserver(def.kind, () => 0);
      consumers.push(
        runConsumer<M>({
          redis: workerRedis, url: t.config.redis.url, keys: t.keys, kind: def.kind, schema: def.schema, concurrency: 1,
          jobs: { ...t.config.jobs, blockMs: 100 }, consumerName: `trace-${def.kind}`, log,
          route: (m) => def.route(m), handle: (m, ctx) => observe.handle(m, ctx, () => def.handle(m, ctx, deps)),
          maintenance: { enabled: false },
        }),
      );
    };
    try {
      start(compareWorker);
      start(paymentWorker);
      start(exportWorker);

      const res = await upload(t.app);
      expect(res.statusCode).toBe(202);
      const jobId = (res.json() as { jobId: string }).jobId;
      const cookie = cookieOf(res);
      await waitFor(async () => {
        const r = await t.app.inject({ url: `/api/v1/compare/jobs/${jobId}`, headers: { cookie } });
        const status = (r.json() as { status: string }).status;
        if (status === 'failed') throw new Error(r.body);
        return status === 'ready' ? status : undefined;
      }, 30_000, 'job ready');

      // The compare entry carries the API request span's context.
      const entries = (await t.testRedis.redis.xrange(t.keys.stream('compare'), '-', '+')) as [string, string[]][];
      const fields = entries[0]![1];
      const entry = JSON.parse(fields[fields.indexOf('data') + 1]!) as Envelope;
      const spans = await waitFor(async () => {
        const s = exporter.getFinishedSpans();
        return ['compare', 'payment', 'export'].every((k) => s.some((x) => x.name.startsWith(`${k} `))) ? s : undefined;
      }, 5_000, 'worker spans');
      const apiSpan = spans.find((s) => s.name === 'request' && s.attributes['http.route'] === '/api/v1/compare/jobs');
      expect(apiSpan, spans.map((s) => s.name).join(', ')).toBeDefined();
      const apiCtx = apiSpan!.spanContext();
      expect(entry.traceparent).toBe(`00-${apiCtx.traceId}-${apiCtx.spanId}-01`);

      const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;
      for (const kind of ['compare', 'payment', 'export']) {
        const workerSpan = spans.find((s) => s.name.startsWith(`${kind} `));
        expect(workerSpan!.spanContext().traceId, kind).toBe(apiCtx.traceId);
        expect(parentOf(workerSpan!), kind).toBe(apiCtx.spanId);
      }

      // The download: its request span starts a trace of its own; the download span is in the job's.
      const dl = await t.app.inject({ url: `/api/v1/compare/jobs/${jobId}/export?format=xlsx`, headers: { cookie } });
      expect(dl.statusCode).toBe(302);
      const after = await waitFor(async () => {
        const s = exporter.getFinishedSpans();
        return s.some((x) => x.name === 'download xlsx') && s.some((x) => x.attributes['http.route'] === '/api/v1/compare/jobs/:id/export') ? s : undefined;
      }, 5_000, 'download spans');
      const download = after.find((s) => s.name === 'download xlsx')!;
      const downloadRequest = after.find((s) => s.name === 'request' && s.attributes['http.route'] === '/api/v1/compare/jobs/:id/export')!;
      expect(download.spanContext().traceId).toBe(apiCtx.traceId);
      expect(parentOf(download)).toBe(apiCtx.spanId);
      expect(downloadRequest.spanContext().traceId).not.toBe(apiCtx.traceId);
      // ...and links to the download request's route handler span (a child of its request span).
      expect(download.links).toHaveLength(1);
      const linked = after.find((s) => s.spanContext().spanId === download.links[0]!.context.spanId);
      expect(linked?.spanContext().traceId).toBe(downloadRequest.spanContext().traceId);
      expect(parentOf(linked!)).toBe(downloadRequest.spanContext().spanId);
      expect(download.attributes['sheetdiff.job.status']).toBe('ready');
    } finally {
      await Promise.all(consumers.map((c) => c.close()));
      workerRedis.disconnect();
    }
  }, 60_000);
});
