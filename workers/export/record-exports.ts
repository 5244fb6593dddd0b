/**
 * The export-worker's second duty: record-stream exports sent by other services (src/exports).
 * Runs beside the paid-download consumer, with its own concurrency (EXPORT_CONCURRENCY), and
 * removes exports past their retention.
 */
import { createExportStore, type ExportStore } from '../../src/exports/export-store.js';
import { runRecordExports } from '../../src/exports/consumer.js';
import { startBufferGc } from '../../src/lib/buffer-gc.js';
import { createRedis } from '../../src/redis/client.js';
import { exportKeys } from '../../src/storage/keys.js';
import type { WorkerDeps } from '../shared/run-worker.js';

/** Removes one batch of expired exports (objects, then the hash); returns how many. */
export async function reapExpiredExports(deps: WorkerDeps, exports: ExportStore, now: number): Promise<number> {
  const due = await exports.dueForRemoval(now, 100);
  for (const id of due) {
    await deps.store.deletePrefix(exportKeys.prefix(id));
    await exports.forget(id);
  }
  return due.length;
}

export async function runRecordExportDuty(deps: WorkerDeps, signal: AbortSignal): Promise<void> {
  const exports = createExportStore(deps.redis, deps.keys);
  const { config } = deps;
  // Renders and uploads stream tens of MB of Buffers per export (see buffer-gc.ts).
  const buffers = startBufferGc();
  if (!buffers.enabled) deps.log.info('streamed Buffers are left to V8 (no --expose-gc in NODE_OPTIONS; see src/config/node-options.ts)');
  const reaper = (async () => {
    while (!signal.aborted) {
      await reapExpiredExports(deps, exports, Date.now()).catch((err: Error) => deps.log.warn({ err: err.message }, 'export retention pass failed'));
      await new Promise<void>((ok) => {
        const t = setTimeout(ok, 60_000);
        signal.addEventListener('abort', () => { clearTimeout(t); ok(); }, { once: true });
      });
    }
  })();
  await runRecordExports({
    redis: deps.redis,
    connect: () => createRedis({ url: config.redis.url, name: 'export-worker:records:block' }),
    exports,
    store: deps.store,
    log: deps.log,
    consumerName: `${config.jobs.workerName ?? `${(await import('node:os')).hostname()}-${process.pid}`}`,
    concurrency: config.exports.concurrency,
    leaseMs: config.jobs.leaseMs,
    blockMs: config.jobs.blockMs,
    maxAttempts: config.jobs.maxAttempts,
    dataDir: config.storage.dataDir,
    signal,
  });
  await reaper;
  buffers.stop();
}
