import { describe, expect, it } from 'vitest';
import { redisServerProblems } from '../../../src/redis/server-check.js';

const info = (o: { version?: string; cluster?: '0' | '1'; policy?: string }) =>
  [
    '# Server',
    ...(o.version ? [`redis_version:${o.version}`] : []),
    'redis_mode:standalone',
    '',
    '# Cluster',
    `cluster_enabled:${o.cluster ?? '0'}`,
    '',
    '# Memory',
    `maxmemory_policy:${o.policy ?? 'noeviction'}`,
  ].join('\r\n');

describe('redisServerProblems', () => {
  it('accepts a standalone Redis 7 without eviction', () => {
    expect(redisServerProblems(info({ version: '7.0.15' }))).toEqual({ refuse: [], warn: [] });
    expect(redisServerProblems(info({ version: '8.2.1' }))).toEqual({ refuse: [], warn: [] });
  });

  it('refuses Redis before 7.0, naming the version found', () => {
    const p = redisServerProblems(info({ version: '6.2.14' }));
    expect(p.refuse).toEqual(['Redis 7.0 or later is required, this server is 6.2.14']);
  });

  it('refuses a multi-shard Cluster', () => {
    expect(redisServerProblems(info({ version: '7.2.4', cluster: '1' })).refuse).toEqual([
      expect.stringContaining('Redis Cluster is not supported'),
    ]);
  });

  it('warns about an eviction policy and about a missing version, refusing neither', () => {
    const p = redisServerProblems(info({ policy: 'allkeys-lru' }));
    expect(p.refuse).toEqual([]);
    expect(p.warn).toEqual([
      expect.stringContaining('did not report redis_version'),
      'maxmemory-policy is allkeys-lru: Redis may evict job keys when full; set it to noeviction',
    ]);
  });
});
