/**
 * A real worker process for the runtime's reliability tests (run with `node --import tsx`).
 *
 * Compare jobs go `queued → comparing → ready`. The side effect of a job is written ONLY by the
 * fenced commit: its `done` event and a `SideEffect` entry on the export stream are appended by
 * finish.lua atomically with the transition, and a line goes to SIDE_LOG once the commit applied.
 * A double commit would show up as two of each. Job ids steer the handler: `poison-*` kills the
 * process, `fail-*` fails terminally, `flaky-*` throws a retryable error on the first attempt,
 * `slow-*` works SLOW_MS instead of WORK_MS.
 *
 * Env: REDIS_URL, REDIS_PREFIX, WORKER_NAME, WORKER_CONCURRENCY, JOB_* / RECLAIM_* / STREAM_* /
 * SHUTDOWN_GRACE_MS (the config schema), WORK_MS, IGNORE_ABORT=1, SIDE_LOG. Prints one JSON line
 * per event on stdout: ready, start, settled, closed.
 */
import { appendFileSync } from 'node:fs';
import { loadConfig } from '../../src/config/env.js';
import { CompareRequestedSchema } from '../../src/contracts/index.js';
import { ERRORS } from '../../src/errors/index.js';
import { createRedis } from '../../src/redis/client.js';
import { createKeys } from '../../src/redis/keys.js';
import { ensureGroups, runConsumer } from '../../src/streams/index.js';

const config = loadConfig(process.env);
const name = config.jobs.workerName ?? `test-worker-${process.pid}`;
const workMs = Number(process.env.WORK_MS ?? 50);
const ignoreAbort = process.env.IGNORE_ABORT === '1';
const sideLog = process.env.SIDE_LOG;
const emit = (e: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ ...e, worker: name, t: Date.now() })}\n`);
const log = {
  info: (o: object, msg?: string) => emit({ ev: 'log', level: 'info', msg, ...o }),
  warn: (o: object, msg?: string) => emit({ ev: 'log', level: 'warn', msg, ...o }),
  error: (o: object, msg?: string) => emit({ ev: 'log', level: 'error', msg, ...o }),
  debug: () => undefined,
};

const redis = createRedis({ url: config.redis.url, name: `${name}:command`, maxReconnectDelayMs: 500 });
redis.on('error', () => undefined);
const keys = createKeys(config.redis.prefix);
await ensureGroups(redis, keys);

const sleep = (ms: number, signal: AbortSignal | undefined) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason as Error);
    });
  });

const consumer = runConsumer({
  redis,
  url: config.redis.url,
  keys,
  kind: 'compare',
  schema: CompareRequestedSchema,
  concurrency: config.jobs.concurrency ?? 4,
  jobs: config.jobs,
  consumerName: name,
  log,
  route: () => ({ expect: ['queued'], running: 'comparing' }),
  async handle(msg, ctx) {
    emit({ ev: 'start', jobId: ctx.jobId, attempt: ctx.attempt, token: ctx.token });
    if (ctx.jobId.startsWith('poison')) process.kill(process.pid, 'SIGKILL');
    if (ctx.jobId.startsWith('fail')) throw ERRORS.malformedFile('not a spreadsheet');
    if (ctx.jobId.startsWith('flaky') && ctx.attempt < 2) throw ERRORS.storageUnavailable('storage hiccup');
    const ms = ctx.jobId.startsWith('slow') ? Number(process.env.SLOW_MS ?? 3000) : workMs;
    await sleep(ms, ignoreAbort ? undefined : ctx.signal);
    await ctx.progress(50);
    return {
      to: 'ready',
      patch: { progress: 100 },
      event: { type: 'done', data: { worker: name, token: ctx.token } },
      next: { kind: 'export', type: 'SideEffect', payload: { worker: name } },
    };
  },
  onSettled(s) {
    emit({ ev: 'settled', ...s });
    if (s.result === 'completed' && sideLog) appendFileSync(sideLog, `${s.jobId} ${name}\n`);
  },
});

emit({ ev: 'ready' });
process.on('SIGTERM', () => {
  void consumer.close().then(async () => {
    emit({ ev: 'closed', stats: consumer.stats() });
    await redis.quit().catch(() => undefined);
    process.exit(0);
  });
});
