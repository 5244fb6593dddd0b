/**
 * `npm start`: the whole service on one machine — API on PORT, one compare, one payment and one
 * export worker as separate processes, local storage in DATA_DIR, the dev payment provider, and
 * Redis from REDIS_URL or a private redis-server started (and stopped) here.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from '../src/config/env.js';
import { streamingEnv } from '../src/config/node-options.js';
import { redisAnswers, startPrivateRedis, type PrivateRedis } from './lib/redis-server.js';
import { Supervisor } from './lib/supervisor.js';

const say = (line: string) => process.stderr.write(`[sheetdiff] ${line}\n`);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) say(err.message);
    else throw err;
    process.exit(1);
  }
  let redisUrl = config.redis.url;
  let privateRedis: PrivateRedis | undefined;
  if (!(await redisAnswers(redisUrl))) {
    say(`no Redis answers at ${redisUrl}; starting a private redis-server (AOF) in ${config.storage.dataDir}/redis`);
    try {
      privateRedis = await startPrivateRedis(config.storage.dataDir);
    } catch (err) {
      say(`cannot start redis-server: ${(err as Error).message}`);
      say('Either point REDIS_URL at a running Redis 7, or install redis-server (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis).');
      process.exit(1);
    }
    redisUrl = privateRedis.url;
    say(`private Redis at ${redisUrl}`);
  }

  const env = { REDIS_URL: redisUrl, DATA_DIR: config.storage.dataDir, PAYMENT_PROVIDER: config.payment.provider };
  const sup = new Supervisor(say);
  // The API and the export-worker stream records and files: V8 options and malloc for flat memory.
  const streaming = streamingEnv(process.env);
  sup.start({ name: 'api', entry: join(root, 'src/api/main.js'), env: { ...env, ...streaming } });
  const kinds = ['compare', 'payment', 'export'] as const;
  kinds.forEach((kind, i) => {
    const own = { ...env, METRICS_PORT: String(config.metrics.port + i + 1), ...(kind === 'export' ? streaming : {}) };
    sup.start({ name: `${kind}-worker`, entry: join(root, `workers/${kind}/main.js`), env: own });
  });
  say(`API on ${config.http.publicBaseUrl} (docs at /docs); workers: ${kinds.join(', ')}; Ctrl-C stops everything`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping (grace ${config.jobs.shutdownGraceMs} ms)`);
    await sup.stop(config.jobs.shutdownGraceMs + 5_000);
    await privateRedis?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

void main();
