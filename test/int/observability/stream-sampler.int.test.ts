import { describe, expect, it } from 'vitest';
import { sampleStreams } from '../../../src/observability/stream-sampler.js';
import { ensureGroups } from '../../../src/streams/index.js';
import { useTestRedis } from '../../helpers/redis.js';

describe('sampleStreams', () => {
  it('reads length, lag, pending, oldest pending age, delayed retries and dead letters', async () => {
    const t = await useTestRedis();
    try {
      const { redis, keys } = t;
      // Streams that do not exist yet read as zero.
      const before = await sampleStreams(redis, keys, Date.now());
      expect(before.streams.every((s) => s.length === 0 && s.pending === 0 && s.lag === 0 && s.oldestPendingAgeSeconds === 0)).toBe(true);
      await ensureGroups(redis, keys);
      const stream = keys.stream('compare');
      const t0 = Date.now();
      for (let i = 0; i < 5; i++) await redis.xadd(stream, `${t0 - 60_000 + i}-0`, 'data', '{}');
      await redis.xreadgroup('GROUP', keys.group('compare'), 'c1', 'COUNT', 2, 'STREAMS', stream, '>');
      await redis.zadd(keys.delayed('compare'), t0 + 1000, 'job-a');
      await redis.xadd(keys.deadLetter(), '*', 'reason', 'x');
      const s = await sampleStreams(redis, keys, t0);
      const compare = s.streams.find((x) => x.stream === 'compare')!;
      expect(compare).toMatchObject({ length: 5, entriesAdded: 5, pending: 2, lag: 3, delayed: 1 });
      expect(compare.oldestPendingAgeSeconds).toBeCloseTo(60, 0);
      expect(s.streams.find((x) => x.stream === 'payment')).toMatchObject({ length: 0, pending: 0, lag: 0 });
      expect(s.deadLetters).toBe(1);
    } finally {
      await t.cleanup();
    }
  });
});
