/**
 * Readiness: Redis answers and can run the job runtime (src/redis/server-check.ts), and the object
 * store is reachable, each within a short timeout.
 */
import type { Redis } from 'ioredis';
import { ERRORS } from '../errors/index.js';
import { checkRedisServer } from '../redis/server-check.js';
import type { ObjectStore } from '../storage/object-store.js';

export type CheckResult = 'ok' | string;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Resolves with `{redis: 'ok', storage: 'ok'}`, or throws 503 (`redis_unavailable`,
 * `redis_unsupported` or `storage_unavailable`) with every check's result in `checks`.
 */
export async function checkReadiness(
  deps: { redis: Redis; store: ObjectStore },
  timeoutMs = 2_000,
): Promise<{ status: 'ok'; checks: Record<string, CheckResult> }> {
  const [redis, storage] = await Promise.allSettled([
    withTimeout(checkRedisServer(deps.redis), timeoutMs, 'redis'),
    withTimeout(deps.store.ping(), timeoutMs, 'storage'),
  ]);
  const show = (r: PromiseSettledResult<unknown>): CheckResult =>
    r.status === 'fulfilled' ? 'ok' : `error: ${(r.reason as Error)?.message ?? String(r.reason)}`;
  const refused = redis.status === 'fulfilled' ? redis.value.refuse : [];
  const checks = { redis: refused.length > 0 ? `error: ${refused.join('; ')}` : show(redis), storage: show(storage) };
  if (redis.status === 'rejected') throw ERRORS.redisUnavailable('Redis is not reachable', { checks });
  if (refused.length > 0) throw ERRORS.redisUnsupported(`this Redis cannot run sheetdiff: ${refused.join('; ')}`, { checks });
  if (storage.status === 'rejected') throw ERRORS.storageUnavailable('object storage is not reachable', { checks });
  return { status: 'ok', checks };
}
