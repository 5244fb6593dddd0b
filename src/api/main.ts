/**
 * API entry point, the only API file that reads process.env: loadConfig → clients → buildApp →
 * listen; SIGTERM/SIGINT close the server gracefully (in-flight requests finish, then Redis).
 *
 * The API starts even while Redis is down: commands fail fast (503 redis_unavailable) and
 * /readyz reports 503 until the connection is back.
 */
import { hostname } from 'node:os';
import closeWithGrace from 'close-with-grace';
import { loadConfig } from '../config/env.js';
import { createJobStore } from '../jobs/store.js';
import { createLogger } from '../lib/logger.js';
import { createRedis } from '../redis/client.js';
import { createKeys } from '../redis/keys.js';
import { createObjectStore } from '../storage/index.js';
import { buildApp } from './app.js';

const config = loadConfig(process.env);
const log = createLogger({ level: config.log.level, component: 'api' });
const name = `api:${hostname()}:${process.pid}`;
const keys = createKeys(config.redis.prefix);
const redis = createRedis({ url: config.redis.url, name: `${name}:command`, failFast: true });
let lastRedisError = 0;
redis.on('error', (err: Error) => {
  // Reconnect attempts repeat the same error; one line per 10 s is enough.
  if (Date.now() - lastRedisError > 10_000) log.warn({ err: err.message }, 'redis connection error');
  lastRedisError = Date.now();
});

const app = await buildApp({
  config,
  redis,
  keys,
  store: createObjectStore(config),
  jobs: createJobStore({ redis, keys }),
  log,
  connectSubscriber: () => createRedis({ url: config.redis.url, name: `${name}:subscriber` }),
});

closeWithGrace({ delay: Math.max(1_000, config.jobs.shutdownGraceMs), logger: log }, async ({ err, signal }) => {
  if (err) log.error({ err }, 'closing after an uncaught error');
  else log.info({ signal }, 'closing');
  await app.close();
  await redis.quit().catch(() => redis.disconnect());
});

await app.listen({ port: config.http.port, host: config.http.host });
