/**
 * What the job runtime needs of the Redis server it talks to, checked once per connection:
 * Redis ≥ 7.0 (only since 7.0 does XAUTOCLAIM report entries deleted while pending, which the
 * reclaimer re-enqueues from the job hash), not a
 * multi-shard Cluster (scripts that ack a stream entry, and the batched ones, touch keys in several
 * slots: docs/job-runtime.md, "Redis Cluster"), and no eviction (an evicted job hash or stream
 * loses work without a trace).
 *
 * Workers refuse to start on a `refuse` problem; the API reports it in /readyz. Eviction is a
 * warning: a managed Redis may not let us read or change the policy, and it is safe while
 * memory stays below `maxmemory`.
 */
import type { Redis } from 'ioredis';

export interface RedisServerProblems {
  /** The runtime cannot work correctly on this server. */
  refuse: string[];
  /** It works, but can lose data under conditions the operator controls. */
  warn: string[];
}

const MIN_MAJOR = 7;

/** Reads `field:value` lines of an INFO reply. */
function infoFields(info: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of info.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  return out;
}

/** The problems an INFO reply (sections server, cluster and memory) shows. Pure. */
export function redisServerProblems(info: string): RedisServerProblems {
  const f = infoFields(info);
  const refuse: string[] = [];
  const warn: string[] = [];
  const version = f.get('redis_version');
  const major = Number(version?.split('.')[0]);
  if (version === undefined || !Number.isFinite(major)) {
    warn.push('the server did not report redis_version; Redis 7.0 or later is required');
  } else if (major < MIN_MAJOR) {
    refuse.push(`Redis ${MIN_MAJOR}.0 or later is required, this server is ${version}`);
  }
  if (f.get('cluster_enabled') === '1') {
    refuse.push('a multi-shard Redis Cluster is not supported: use a standalone, Sentinel or single-shard Redis');
  }
  const policy = f.get('maxmemory_policy');
  if (policy !== undefined && policy !== 'noeviction') {
    warn.push(`maxmemory-policy is ${policy}: Redis may evict job keys when full; set it to noeviction`);
  }
  return { refuse, warn };
}

/** INFO server, cluster and memory of `redis`, judged by `redisServerProblems`. */
export async function checkRedisServer(redis: Redis): Promise<RedisServerProblems> {
  const sections = await Promise.all(['server', 'cluster', 'memory'].map((s) => redis.info(s)));
  return redisServerProblems(sections.join('\n'));
}
