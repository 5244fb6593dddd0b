/**
 * One typed wrapper per Lua script in src/redis/scripts (see each script's header for the exact
 * KEYS/ARGV layout). Wrappers take named key objects and turn them into KEYS in exactly one place.
 *
 * Every script is idempotent under re-send: ioredis re-sends commands whose reply was lost on a
 * reconnect, and a second run changes nothing (docs/job-runtime.md).
 */
import type { Redis } from 'ioredis';
import { runCall, runScript, type ScriptCall } from './script-loader.js';

export { runCalls, type ScriptCall } from './script-loader.js';
export * from './ledger-scripts.js';
export * from './batch-scripts.js';
import type { Keys } from './keys.js';

/** The keys of one job (all share the job's hash tag). */
export interface JobKeys {
  job: string;
  lock: string;
  events: string;
  channel: string;
}

/** A work stream with its bookkeeping keys. */
export interface StreamKeys {
  stream: string;
  entries: string;
  group: string;
  kind: string;
  /** keys.jobParts(): claim.lua and finish.lua read a job's id off its key with these. */
  jobKey: readonly [string, string];
  /** keys.jobChannelParts(): claim.lua and finish.lua build a watched job's channel from these. */
  jobChannel: readonly [string, string];
}

export function jobKeys(keys: Keys, id: string): JobKeys {
  return { job: keys.job(id), lock: keys.jobLock(id), events: keys.jobEvents(id), channel: keys.jobChannel(id) };
}

export function streamKeys(keys: Keys, kind: string): StreamKeys {
  return { stream: keys.stream(kind), entries: keys.streamEntries(kind), group: keys.group(kind), kind, jobKey: keys.jobParts(), jobChannel: keys.jobChannelParts() };
}

const jobKeyList = (k: JobKeys) => [k.job, k.lock, k.events, k.channel];

/** create.lua: the job hash, `created` event, account index and outbox mark (true when created). */
export function createCall(
  k: JobKeys & { accountJobs: string; outbox: string; expiry: string },
  a: { jobId: string; now: number; expiresAt: number; kind: string; envelope: string; eventData: string; fields: string[] },
): ScriptCall<boolean> {
  return {
    name: 'create',
    keys: [k.job, k.events, k.channel, k.accountJobs, k.outbox, k.expiry],
    argv: [a.jobId, a.now, a.expiresAt, a.kind, a.envelope, a.eventData, ...a.fields],
    parse: (r) => r === 1,
  };
}

export function createScript(redis: Redis, ...args: Parameters<typeof createCall>): Promise<boolean> {
  return runCall(redis, createCall(...args));
}

/** enqueue.lua: outbox mark → stage stream; the entry id, or null when nothing was pending. */
export function enqueueCall(k: { job: string; outbox: string } & StreamKeys, a: { jobId: string }): ScriptCall<string | null> {
  return {
    name: 'enqueue',
    keys: [k.job, k.outbox, k.stream, k.entries],
    argv: [a.jobId, k.kind, k.group],
    parse: (r) => (typeof r === 'string' ? r : null),
  };
}

export function enqueueScript(redis: Redis, ...args: Parameters<typeof enqueueCall>): Promise<string | null> {
  return runCall(redis, enqueueCall(...args));
}

/** publish.lua: a message for an existing job, no state change; null when the job is missing. */
export async function publishScript(
  redis: Redis,
  k: { job: string } & StreamKeys,
  a: { jobId: string; envelope: string },
): Promise<string | null> {
  const r = await runScript(redis, 'publish', [k.job, k.stream, k.entries], [a.jobId, k.kind, k.group, a.envelope]);
  return typeof r === 'string' ? r : null;
}

/** progress.lua: fenced progress write; false when the token is no longer current. */
export async function progressScript(
  redis: Redis,
  k: JobKeys,
  a: { token: string; progress: number; now: number; emit: boolean; data: string },
): Promise<boolean> {
  const r = await runScript(redis, 'progress', jobKeyList(k), [a.token, a.progress, a.now, a.emit ? '1' : '', a.data]);
  return r === 1;
}

/** transition.lua: CAS with event, fence bump and optional next stage. */
export async function transitionScript(
  redis: Redis,
  k: JobKeys & { next?: StreamKeys },
  a: {
    tid: string; jobId: string; from: readonly string[]; to: string; now: number; patch: readonly string[];
    eventType: string; eventData: string; terminal: boolean; graceMs: number; nextData: string;
  },
): Promise<boolean> {
  const keys = jobKeyList(k);
  if (k.next) keys.push(k.next.stream, k.next.entries);
  const r = await runScript(redis, 'transition', keys, [
    a.tid, a.from.join(','), a.to, a.now, a.patch.length > 0 ? JSON.stringify(a.patch) : '', a.eventType, a.eventData,
    a.terminal ? '1' : '', a.graceMs, k.next ? a.nextData : '', k.next?.kind ?? '', k.next?.group ?? '', a.jobId,
  ]);
  return r === 1;
}

/** watch.lua: mark a job as followed for `ttlMs` (its events are then announced); false when it does not exist. */
export async function watchScript(redis: Redis, k: { job: string }, a: { ttlMs: number }): Promise<boolean> {
  return (await runScript(redis, 'watch', [k.job], [a.ttlMs])) === 1;
}

/** promote.lua: due retries back into the stream; returns how many were added. */
export async function promoteScript(
  redis: Redis,
  k: StreamKeys & { delayed: string },
  a: { now: number; jobs: readonly { jobId: string; job: string }[] },
): Promise<number> {
  const keys = [k.delayed, k.stream, k.entries, ...a.jobs.map((j) => j.job)];
  return Number(await runScript(redis, 'promote', keys, [a.now, k.kind, a.jobs.length, ...a.jobs.map((j) => j.jobId)]));
}

/** restore.lua: rebuild deleted pending entries from the job hash; returns how many were added. */
export async function restoreScript(
  redis: Redis,
  k: StreamKeys,
  a: { terminal: readonly string[]; entries: readonly { entryId: string; jobId: string; job: string }[] },
): Promise<number> {
  const keys = [k.stream, k.entries, ...a.entries.map((e) => e.job)];
  const argv = [k.kind, a.terminal.join(','), a.entries.length, ...a.entries.flatMap((e) => [e.entryId, e.jobId])];
  return Number(await runScript(redis, 'restore', keys, argv));
}

/** requeue.lua: hand back read-but-unclaimed entries; returns how many were re-added. */
export async function requeueScript(
  redis: Redis,
  k: StreamKeys,
  entries: readonly { entryId: string; jobId: string; data: string }[],
): Promise<number> {
  const argv = [k.group, entries.length, ...entries.flatMap((e) => [e.entryId, e.jobId, e.data])];
  return Number(await runScript(redis, 'requeue', [k.stream, k.entries], argv));
}

/** trim.lua: XTRIM MINID below every unacked entry; returns counts of trimmed entries and deleted consumers. */
export async function trimScript(redis: Redis, k: { stream: string }, a: { consumerIdleMs: number }): Promise<{ trimmed: number; consumersDeleted: number }> {
  const r = (await runScript(redis, 'trim', [k.stream], [a.consumerIdleMs])) as [number, number];
  return { trimmed: Number(r[0]), consumersDeleted: Number(r[1]) };
}
