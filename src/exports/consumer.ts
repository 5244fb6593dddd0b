/**
 * The record-export consumer run by every export-worker: reads `RecordExportRequested` entries
 * from the `records` stream (consumer group `records`), at most `concurrency` at once; the rest
 * wait in the stream and their exports stay QUEUED.
 *
 * Delivery: a run claims the export (fence+1) and every later write is fenced, so a run that was
 * taken over or cancelled stops at its next progress step. While it runs, the entry's idle time
 * is reset every third of the lease (XCLAIM JUSTID); entries of a dead worker are taken over
 * with XAUTOCLAIM once idle past the lease. Bad input (`invalid_record`…) fails the export at
 * once; other errors are retried up to `maxAttempts` deliveries, then the export fails.
 */
import path from 'node:path';
import type { Redis } from 'ioredis';
import { RecordExportRequestedSchema } from '../contracts/exports.js';
import { describeError, isRetryable } from '../errors/index.js';
import type { Logger } from '../lib/logger.js';
import type { ObjectStore } from '../storage/object-store.js';
import { exportKeys } from '../storage/keys.js';
import type { ExportStore } from './export-store.js';
import { exportMetrics } from './metrics.js';
import { renderExport, RenderStopped } from './render.js';

export interface RecordExportConsumerOptions {
  redis: Redis;
  /** Opens the consumer's own blocking connection. */
  connect: () => Redis;
  exports: ExportStore;
  store: ObjectStore;
  log: Logger;
  consumerName: string;
  concurrency: number;
  leaseMs: number;
  blockMs: number;
  maxAttempts: number;
  dataDir: string;
  signal: AbortSignal;
  clock?: () => number;
}

// Removes its abort listener when the time is up: the loop sleeps often while all slots are busy.
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((ok) => {
    const onAbort = (): void => {
      clearTimeout(t);
      ok();
    };
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      ok();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });

/** Runs until `signal` aborts, then waits for in-flight exports. */
export async function runRecordExports(o: RecordExportConsumerOptions): Promise<void> {
  const now = o.clock ?? Date.now;
  const { stream, group } = o.exports;
  await o.redis.xgroup('CREATE', stream, group, '0', 'MKSTREAM').catch((err: Error) => {
    if (!/BUSYGROUP/.test(err.message)) throw err;
  });
  const reader = o.connect();
  const running = new Set<Promise<void>>();
  let lastReclaim = 0;

  const runOne = async (entryId: string, data: string): Promise<void> => {
    const ack = () => o.redis.xack(stream, group, entryId);
    const parsed = RecordExportRequestedSchema.safeParse(JSON.parse(data));
    if (!parsed.success) {
      o.log.warn({ entryId }, 'invalid record-export entry dropped');
      await ack();
      return;
    }
    const id = parsed.data.jobId;
    const claim = await o.exports.claimRun(id, now());
    if (!claim) return void (await ack()); // cancelled, finished or gone: nothing to do
    const e = (await o.exports.get(id))!;
    const log = o.log.child({ exportId: id, attempt: claim.attempts });
    const heartbeat = setInterval(() => {
      o.redis.xclaim(stream, group, o.consumerName, 0, entryId, 'JUSTID').catch(() => undefined);
    }, Math.max(100, Math.floor(o.leaseMs / 3)));
    exportMetrics.active.inc();
    const t0 = performance.now();
    let result = 'failed';
    try {
      const r = await renderExport(e, { store: o.store, tmpDir: path.join(o.dataDir, 'tmp') }, {
        progress: (written) => o.exports.fenced(id, claim.fence, '', now(), { progress: e.records ? Math.floor((written * 95) / e.records) : 0, written }),
        uploading: () => o.exports.fenced(id, claim.fence, 'UPLOADING', now(), { progress: 96 }),
        signal: o.signal,
      });
      exportMetrics.uploadDuration.observe({ format: e.format }, r.uploadMs / 1000);
      exportMetrics.records.inc({ format: e.format }, r.records);
      const done = await o.exports.fenced(id, claim.fence, 'COMPLETED', now(), { progress: 100, fileKey: r.fileKey, fileSize: r.fileSize, sha256: r.sha256, written: r.records });
      if (!done) await o.store.delete(r.fileKey).catch(() => undefined); // cancelled during the upload
      else {
        result = 'completed';
        await o.store.deletePrefix(`${exportKeys.prefix(id)}batches/`).catch(() => undefined);
      }
      log.info({ records: r.records, fileSize: r.fileSize, ms: Math.round(performance.now() - t0) }, done ? 'export completed' : 'export stopped');
      await ack();
    } catch (err) {
      if (err instanceof RenderStopped && o.signal.aborted) {
        // Shutting down: leave the entry pending; another worker takes it over after the lease.
        result = 'released';
        return;
      }
      if (err instanceof RenderStopped) {
        result = 'cancelled';
        await ack();
        return;
      }
      const { code, message } = describeError(err);
      if (isRetryable(err) && claim.attempts < o.maxAttempts) {
        log.warn({ err: message, code }, 'export failed; will be retried');
        result = 'retried';
        return; // stays pending; XAUTOCLAIM hands it out again after the lease
      }
      exportMetrics.errors.inc({ code });
      log.warn({ code, message }, 'export failed');
      await o.exports.fenced(id, claim.fence, 'FAILED', now(), { error: JSON.stringify({ code, message }) });
      await ack();
    } finally {
      clearInterval(heartbeat);
      exportMetrics.active.dec();
      exportMetrics.duration.observe({ format: e.format, result }, (performance.now() - t0) / 1000);
    }
  };

  const start = (entryId: string, data: string): void => {
    const p = runOne(entryId, data)
      .catch((err: unknown) => o.log.error({ err, entryId }, 'record export crashed'))
      .finally(() => running.delete(p));
    running.add(p);
  };

  try {
    while (!o.signal.aborted) {
      const free = o.concurrency - running.size;
      if (free <= 0) {
        await Promise.race([...running, sleep(o.blockMs, o.signal)]);
        continue;
      }
      try {
        if (now() - lastReclaim > o.leaseMs) {
          lastReclaim = now();
          const [, claimed] = (await o.redis.xautoclaim(stream, group, o.consumerName, o.leaseMs, '0', 'COUNT', free)) as [string, [string, string[]][]];
          for (const [entryId, fields] of claimed.filter((c) => c && c[1])) start(entryId, fields[1] ?? '{}');
        }
        const room = o.concurrency - running.size;
        if (room <= 0) continue;
        const res = (await reader.xreadgroup('GROUP', group, o.consumerName, 'COUNT', room, 'BLOCK', o.blockMs, 'STREAMS', stream, '>')) as [string, [string, string[]][]][] | null;
        for (const [, entries] of res ?? []) for (const [entryId, fields] of entries) start(entryId, fields[1] ?? '{}');
        const info = (await o.redis.xinfo('GROUPS', stream)) as unknown[][];
        const g = info.find((row) => row[1] === group);
        const lag = g ? Number(g[g.indexOf('lag') + 1] ?? 0) : 0;
        exportMetrics.queued.set(Number.isFinite(lag) ? lag : 0);
      } catch (err) {
        if (o.signal.aborted) break;
        o.log.warn({ err: (err as Error).message }, 'record-export loop error; retrying');
        await sleep(1000, o.signal);
      }
    }
  } finally {
    await Promise.allSettled([...running]);
    reader.disconnect();
  }
}
