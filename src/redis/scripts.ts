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
}

export function jobKeys(keys: Keys, id: string): JobKeys {
  return { job: keys.job(id), lock: keys.jobLock(id), events: keys.jobEvents(id), channel: keys.jobChannel(id) };
}

export function streamKeys(keys: Keys, kind: string): StreamKeys {
  return { stream: keys.stream(kind), entries: keys.streamEntries(kind), group: keys.group(kind), kind };
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

export interface ClaimItem {
  keys: JobKeys;
  entryId: string;
  jobId: string;
  expect: readonly string[];
  /** Status while running; '' keeps the status unchanged. */
  running: string;
  startEvent: string;
}

export type ClaimReply =
  | { code: 'claimed'; token: string; attempt: number; record: string }
  | { code: 'busy' | 'stale' | 'dead' };

/** claim.lua for a whole batch, as a call that can share a pipeline with others. */
export function claimCall(
  k: StreamKeys & { dead: string },
  a: { consumer: string; now: number; leaseMs: number; maxAttempts: number; graceMs: number; fields: readonly string[] },
  items: readonly ClaimItem[],
): ScriptCall<ClaimReply[]> {
  const keys = [k.stream, k.entries, k.dead];
  const argv: (string | number)[] = [k.group, a.consumer, a.now, a.leaseMs, a.maxAttempts, a.graceMs, items.length, a.fields.length, ...a.fields];
  // Entries of one batch mostly share a route: send each distinct route once.
  const routeIdx = new Map<string, number>();
  const routes: string[] = [];
  const perEntry: (string | number)[] = [];
  for (const it of items) {
    keys.push(it.keys.job, it.keys.lock, it.keys.events, it.keys.channel);
    const expect = it.expect.join(',');
    const rk = `${expect}|${it.running}|${it.startEvent}`;
    let idx = routeIdx.get(rk);
    if (idx === undefined) {
      routes.push(expect, it.running, it.startEvent);
      idx = routes.length / 3;
      routeIdx.set(rk, idx);
    }
    perEntry.push(it.entryId, it.jobId, idx);
  }
  argv.push(routes.length / 3, ...routes, ...perEntry);
  return {
    name: 'claim',
    keys,
    argv,
    parse: (raw) =>
      (raw as [string, string?, string?, string?][]).map((x) =>
        x[0] === 'claimed'
          ? { code: 'claimed', token: String(x[1]), attempt: Number(x[2]), record: x[3] ?? '' }
          : { code: x[0] as 'busy' | 'stale' | 'dead' },
      ),
  };
}

/** claim.lua: one call for a whole read batch. */
export function claimScript(redis: Redis, ...args: Parameters<typeof claimCall>): Promise<ClaimReply[]> {
  return runCall(redis, claimCall(...args));
}

export type FinishOpCode = 'complete' | 'retry' | 'fail' | 'release';
const OP_CODES: Record<FinishOpCode, string> = { complete: 'c', retry: 'r', fail: 'f', release: 'x' };

export interface FinishItem {
  keys: JobKeys;
  op: FinishOpCode;
  entryId: string;
  jobId: string;
  token: string;
  from: readonly string[];
  /** '' keeps the status. */
  to: string;
  /** Flat field/value list (see encodePatch). */
  patch: readonly string[];
  eventType: string;
  /** JSON object or ''. */
  eventData: string;
  /** Next-stage stream (complete only). */
  next?: StreamKeys;
  /** complete: next envelope; retry/fail/release: the entry's data. */
  data: string;
  /** complete: '1' if terminal; retry: due ms; fail: '1' to dead-letter. */
  arg: string;
}

export type FinishReply = 'applied' | 'stale' | 'gone';

/** finish.lua for a micro-batch of outcomes, as a call that can share a pipeline with others. */
export function finishCall(
  k: StreamKeys & { dead: string; delayed: string },
  a: { now: number; graceMs: number },
  items: readonly FinishItem[],
): ScriptCall<FinishReply[]> {
  const nexts: StreamKeys[] = [];
  const nextIndex = (s: StreamKeys | undefined): number => {
    if (!s) return 0;
    let i = nexts.findIndex((x) => x.stream === s.stream);
    if (i < 0) i = nexts.push(s) - 1;
    return i + 1;
  };
  // Jobs of a batch mostly end the same way: send each distinct ending (template) once.
  const templateIdx = new Map<string, number>();
  const templates: (string | number)[] = [];
  const perJob: (string | number)[] = [];
  const jobKeysFlat: string[] = [];
  for (const it of items) {
    jobKeysFlat.push(it.keys.job, it.keys.lock, it.keys.events, it.keys.channel);
    const tpl = [OP_CODES[it.op], it.from.join(','), it.to, it.eventType, it.eventData, nextIndex(it.next), it.arg] as const;
    const tk = tpl.join('\u0001');
    let idx = templateIdx.get(tk);
    if (idx === undefined) {
      templates.push(...tpl);
      idx = templates.length / 7;
      templateIdx.set(tk, idx);
    }
    perJob.push(it.entryId, it.jobId, it.token, idx, it.patch.length > 0 ? JSON.stringify(it.patch) : '', it.data);
  }
  const keys = [k.stream, k.entries, k.dead, k.delayed, ...nexts.flatMap((s) => [s.stream, s.entries]), ...jobKeysFlat];
  const argv = [
    k.group, a.now, a.graceMs, k.kind, nexts.length, items.length, ...nexts.flatMap((s) => [s.group, s.kind]),
    templates.length / 7, ...templates, ...perJob,
  ];
  return { name: 'finish', keys, argv, parse: (raw) => raw as FinishReply[] };
}

/** finish.lua: record a micro-batch of outcomes (complete, retry, fail, release). */
export function finishScript(redis: Redis, ...args: Parameters<typeof finishCall>): Promise<FinishReply[]> {
  return runCall(redis, finishCall(...args));
}

export interface HeartbeatItem {
  keys: JobKeys;
  entryId: string;
  jobId: string;
  token: string;
}

/** heartbeat.lua: 'ok', 'lost', or the id of a replacement entry. */
export async function heartbeatScript(
  redis: Redis,
  k: StreamKeys,
  a: { consumer: string; leaseMs: number },
  items: readonly HeartbeatItem[],
): Promise<string[]> {
  const keys = [k.stream, k.entries, ...items.flatMap((it) => [it.keys.job, it.keys.lock])];
  const argv = [k.group, a.consumer, a.leaseMs, k.kind, items.length, ...items.flatMap((it) => [it.entryId, it.jobId, it.token])];
  return (await runScript(redis, 'heartbeat', keys, argv)) as string[];
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
