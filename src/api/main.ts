/**
 * API entry point, the only API file that reads process.env: loadConfig → clients → buildApp →
 * listen; SIGTERM/SIGINT close the server gracefully (in-flight requests finish, then Redis).
 *
 * The API starts even while Redis is down: commands fail fast (503 redis_unavailable) and
 * /readyz reports 503 until the connection is back.
 */
import { hostname } from 'node:os';
import { loadConfig } from '../config/env.js';
import { createLogger } from '../lib/logger.js';
import { startTracing } from '../observability/tracing.js';

const config = loadConfig(process.env);
const log = createLogger({ level: config.log.level, component: 'api' });
// Traces (when configured) start before Fastify, ioredis and http load, so they get instrumented.
const tracing = await startTracing({ endpoint: config.otel.endpoint, serviceName: 'sheetdiff-api' });
const { default: closeWithGrace } = await import('close-with-grace');
const { createJobStore } = await import('../jobs/store.js');
const { createRedis } = await import('../redis/client.js');
const { createKeys } = await import('../redis/keys.js');
const { checkRedisServer } = await import('../redis/server-check.js');
const { createObjectStore } = await import('../storage/index.js');
const { collectProcessMetrics } = await import('../observability/metrics.js');
const { meterJobStore } = await import('../observability/metered-jobs.js');
const { meterObjectStore } = await import('../observability/metered-store.js');
const { startStreamSampler } = await import('../observability/stream-sampler.js');
const { buildApp } = await import('./app.js');
const { startBufferGc } = await import('../lib/buffer-gc.js');
const name = `api:${hostname()}:${process.pid}`;
const keys = createKeys(config.redis.prefix);
const redis = createRedis({ url: config.redis.url, name: `${name}:command`, failFast: true });
let lastRedisError = 0;
redis.on('error', (err: Error) => {
  // Reconnect attempts repeat the same error; one line per 10 s is enough.
  if (Date.now() - lastRedisError > 10_000) log.warn({ err: err.message }, 'redis connection error');
  lastRedisError = Date.now();
});

// Named once per connection; /readyz answers 503 redis_unsupported while a refusal holds.
redis.on('ready', () => {
  checkRedisServer(redis).then(
    (p) => {
      for (const w of p.warn) log.warn({}, `redis: ${w}`);
      if (p.refuse.length > 0) log.error({ problems: p.refuse }, `this Redis cannot run sheetdiff: ${p.refuse.join('; ')}`);
    },
    () => undefined,
  );
});

const app = await buildApp({
  config,
  redis,
  keys,
  store: meterObjectStore(await createObjectStore(config)),
  jobs: meterJobStore(createJobStore({ redis, keys })),
  log,
  connectSubscriber: () => createRedis({ url: config.redis.url, name: `${name}:subscriber` }),
});

collectProcessMetrics();
// Batches stored and files served stream Buffers through this process (see buffer-gc.ts). A
// collection every 2 MiB, not 4: the API holds more live heap than the worker, and this kept its
// peak RSS on Node 24 about 1 MB lower in bench:export.
const buffers = startBufferGc({ stepMb: 2 });
if (!buffers.enabled) log.info('streamed Buffers are left to V8 (no --expose-gc in NODE_OPTIONS; see src/config/node-options.ts)');
const stopSampler = startStreamSampler({ redis, keys, onError: (err) => log.debug({ err: err.message }, 'stream sample failed') });

closeWithGrace({ delay: Math.max(1_000, config.jobs.shutdownGraceMs), logger: log }, async ({ err, signal }) => {
  if (err) log.error({ err }, 'closing after an uncaught error');
  else log.info({ signal }, 'closing');
  stopSampler();
  buffers.stop();
  await app.close();
  await redis.quit().catch(() => redis.disconnect());
  await tracing.shutdown();
});

await app.listen({ port: config.http.port, host: config.http.host });
