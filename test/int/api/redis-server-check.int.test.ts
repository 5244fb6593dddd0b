/**
 * A Redis the job runtime cannot use is named, not discovered through odd failures: /readyz
 * answers 503 redis_unsupported and a worker refuses to start. The unsupported server here is a
 * real redis-server started in cluster mode (a one-node cluster without slots is enough for
 * INFO to say `cluster_enabled:1`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivateRedis, type PrivateRedis } from '../../../scripts/lib/redis-server.js';
import { checkRedisServer } from '../../../src/redis/server-check.js';
import { buildTestApp } from '../../helpers/app.js';
import { spawnWorker } from '../../helpers/process.js';
import { useTestRedis } from '../../helpers/redis.js';

describe('the Redis server check', () => {
  let dir: string;
  let cluster: PrivateRedis;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sd-cluster-'));
    cluster = await startPrivateRedis(dir, 'redis-server', {
      persistence: false,
      args: ['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf')],
    });
  });
  afterAll(async () => {
    await cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('finds nothing to refuse on the test Redis', async () => {
    const t = await useTestRedis();
    expect((await checkRedisServer(t.redis)).refuse).toEqual([]);
    await t.cleanup();
  });

  it('/readyz answers 503 redis_unsupported on a cluster-mode Redis', async () => {
    const t = await buildTestApp({ redisUrl: cluster.url, waitForRedis: true });
    const ready = await t.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.headers['content-type']).toContain('application/problem+json');
    expect(ready.json()).toMatchObject({
      code: 'redis_unsupported',
      checks: { redis: expect.stringContaining('Redis Cluster is not supported'), storage: 'ok' },
    });
  });

  it('a worker refuses to start on a cluster-mode Redis, saying why', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'sd-cluster-worker-'));
    const w = spawnWorker({
      entry: 'workers/compare/main.ts',
      name: 'compare-worker',
      env: { NODE_ENV: 'test', REDIS_URL: cluster.url, REDIS_PREFIX: 'sdtest:cluster:', DATA_DIR: dataDir, METRICS_PORT: '0', LOG_LEVEL: 'info' },
    });
    const { code } = await w.exited;
    await rm(dataDir, { recursive: true, force: true });
    expect(code, w.output()).toBe(1);
    expect(w.output()).toContain('this Redis cannot run sheetdiff: a multi-shard Redis Cluster is not supported');
  });
});
