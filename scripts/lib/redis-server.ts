/**
 * Finds a Redis for `npm start`: the one at REDIS_URL when it answers, else a private
 * `redis-server` (AOF on, its own port and directory under DATA_DIR) that we start and stop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';

/** True when a Redis at `url` answers PING within `timeoutMs`. */
export async function redisAnswers(url: string, timeoutMs = 1500): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: timeoutMs });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export interface PrivateRedis {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts `redis-server` with AOF in `${dataDir}/redis`; rejects with a readable reason if it cannot.
 *
 * `persistence: false` (benchmarks) writes nothing to disk: no AOF, no snapshots. `args` are
 * further server options (tests start servers Redis' own way, e.g. in cluster mode).
 */
export async function startPrivateRedis(
  dataDir: string,
  binary = 'redis-server',
  o: { persistence?: boolean; args?: readonly string[] } = {},
): Promise<PrivateRedis> {
  const dir = resolve(join(dataDir, 'redis'));
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const aof = o.persistence === false ? ['--appendonly', 'no'] : ['--appendonly', 'yes', '--appendfsync', 'everysec'];
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, ...aof, '--save', '', '--protected-mode', 'yes', ...(o.args ?? [])];
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const spawned = await new Promise<Error | null>((ok) => {
    child.once('spawn', () => ok(null));
    child.once('error', (err) => ok(err));
  });
  if (spawned) throw new Error(`cannot run ${binary}: ${spawned.message}`);
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50; i++) {
    if (child.exitCode !== null) throw new Error(`${binary} exited with code ${child.exitCode}`);
    if (await redisAnswers(url, 300)) {
      return {
        url,
        process: child,
        stop: () =>
          new Promise((ok) => {
            if (child.exitCode !== null) return ok();
            child.once('exit', () => ok());
            child.kill('SIGTERM'); // redis-server flushes the AOF on SIGTERM
          }),
      };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`${binary} did not answer on port ${port}`);
}
