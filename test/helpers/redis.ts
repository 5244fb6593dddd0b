/**
 * Real-Redis helpers for tests: every test gets its own key prefix and removes it afterwards.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createKeys, type Keys } from '../../src/redis/keys.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestRedis {
  url: string;
  prefix: string;
  keys: Keys;
  redis: Redis;
  /** Deletes every key under the prefix and closes the connection. */
  cleanup(): Promise<void>;
}

/** Opens a connection and returns a fresh prefix `t:<uuid>:sd:`. */
export async function useTestRedis(): Promise<TestRedis> {
  const prefix = `t:${randomUUID().slice(0, 12)}:sd:`;
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3, connectionName: 'test-helper' });
  await redis.ping();
  return {
    url: REDIS_URL,
    prefix,
    keys: createKeys(prefix),
    redis,
    async cleanup() {
      await deletePrefix(redis, prefix);
      redis.disconnect();
    },
  };
}

export async function deletePrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (found.length > 0) await redis.unlink(...found);
  } while (cursor !== '0');
}
