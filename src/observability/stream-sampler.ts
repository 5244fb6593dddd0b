/**
 * Samples the work streams' backlog from Redis on an interval into gauges: length, entries added,
 * pending, consumer-group lag, oldest pending age, delayed retries and the dead-letter count.
 *
 * Sampling (not reading Redis on each scrape) keeps `/metrics` at the cost of serialising the
 * registry, whatever the number of jobs: every command here is O(1) in the stream's size
 * (XINFO STREAM without FULL, XINFO GROUPS, the XPENDING summary, XLEN, ZCARD).
 */
import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';
import { streamMetrics } from './metrics.js';

/** The streams sheetdiff runs: the three job kinds and the record exports. */
export const SAMPLED_STREAMS = ['compare', 'payment', 'export', 'records'] as const;

export interface StreamSample {
  stream: string;
  length: number;
  entriesAdded: number;
  pending: number;
  lag: number;
  oldestPendingAgeSeconds: number;
  delayed: number;
}

/** Reads every stream's figures in one pipelined round trip. */
export async function sampleStreams(redis: Redis, keys: Keys, now = Date.now(), streams: readonly string[] = SAMPLED_STREAMS): Promise<{ streams: StreamSample[]; deadLetters: number }> {
  const p = redis.pipeline();
  for (const s of streams) {
    p.xinfo('STREAM', keys.stream(s));
    p.xinfo('GROUPS', keys.stream(s));
    p.xpending(keys.stream(s), keys.group(s));
    p.zcard(keys.delayed(s));
  }
  p.xlen(keys.deadLetter());
  const replies = (await p.exec()) ?? [];
  const out: StreamSample[] = [];
  streams.forEach((stream, i) => {
    const [infoR, groupsR, pendingR, delayedR] = replies.slice(i * 4, i * 4 + 4);
    // A stream or group that does not exist yet answers with an error: all zero.
    const info = infoR?.[0] ? undefined : fields(infoR?.[1]);
    const group = groupsR?.[0] ? undefined : (groupsR?.[1] as unknown[][] | undefined)?.map(fields).find((g) => g.get('name') === keys.group(stream));
    const pending = pendingR?.[0] ? undefined : (pendingR?.[1] as [number, string | null, string | null, unknown] | undefined);
    const oldestId = pending?.[1];
    const oldestMs = oldestId ? Number(oldestId.split('-')[0]) : now;
    out.push({
      stream,
      length: num(info?.get('length')),
      entriesAdded: num(info?.get('entries-added')),
      pending: num(pending?.[0]),
      // `lag` is nil when Redis cannot tell (after deletions): count what is after the group's cursor as unknown → 0.
      lag: num(group?.get('lag')),
      oldestPendingAgeSeconds: Math.max(0, (now - oldestMs) / 1000),
      delayed: num(delayedR?.[0] ? 0 : delayedR?.[1]),
    });
  });
  const dead = replies[streams.length * 4];
  return { streams: out, deadLetters: num(dead?.[0] ? 0 : dead?.[1]) };
}

function fields(reply: unknown): Map<string, unknown> {
  const m = new Map<string, unknown>();
  if (!Array.isArray(reply)) return m;
  for (let i = 0; i + 1 < reply.length; i += 2) m.set(String(reply[i]), reply[i + 1]);
  return m;
}

function num(v: unknown): number {
  const n = Number(v ?? 0);
  return Number.isFinite(n) ? n : 0;
}

const lastAdded = new Map<string, number>();

/** Writes one sample into the gauges (and the entries-added counter, by its increase). */
export function recordSample(sample: { streams: StreamSample[]; deadLetters: number }, now = Date.now()): void {
  for (const s of sample.streams) {
    const l = { stream: s.stream };
    streamMetrics.length.set(l, s.length);
    streamMetrics.pending.set(l, s.pending);
    streamMetrics.lag.set(l, s.lag);
    streamMetrics.oldestPendingAge.set(l, s.oldestPendingAgeSeconds);
    streamMetrics.delayed.set(l, s.delayed);
    // entries-added only grows; a smaller value means the stream was recreated (a counter reset).
    const prev = lastAdded.get(s.stream);
    const inc = prev === undefined || s.entriesAdded < prev ? s.entriesAdded : s.entriesAdded - prev;
    if (inc > 0) streamMetrics.entriesAdded.inc(l, inc);
    else streamMetrics.entriesAdded.inc(l, 0);
    lastAdded.set(s.stream, s.entriesAdded);
  }
  streamMetrics.deadLetters.set(sample.deadLetters);
  streamMetrics.sampleAge.set(now / 1000);
}

/**
 * Samples every `intervalMs` until the returned stop function is called (or `signal` aborts).
 *
 * @defaultValue intervalMs 5000: a third of Prometheus' usual 15 s scrape interval.
 */
export function startStreamSampler(o: {
  redis: Redis;
  keys: Keys;
  intervalMs?: number;
  onError?(err: Error): void;
}): () => void {
  const intervalMs = o.intervalMs ?? 5_000;
  let busy = false;
  const tick = () => {
    if (busy) return;
    busy = true;
    sampleStreams(o.redis, o.keys)
      .then((s) => recordSample(s))
      .catch((err: Error) => o.onError?.(err))
      .finally(() => (busy = false));
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
