/**
 * Typed wrappers of the consumer's batched scripts: claim.lua, finish.lua and heartbeat.lua (one
 * call per batch of jobs; see each script's header for the KEYS/ARGV layout).
 *
 * These run once per job on the hot path, so they build their argument lists with plain loops:
 * no per-job intermediate arrays, strings or map lookups (a batch mostly repeats one route or
 * one ending, which is compared with the previous item's instead of hashed).
 */
import type { Redis } from 'ioredis';
import { runCall, runScript, type ScriptCall } from './script-loader.js';
import type { JobKeys, StreamKeys } from './scripts.js';

export interface ClaimItem {
  keys: JobKeys;
  entryId: string;
  jobId: string;
  expect: readonly string[];
  /** Status while running; '' keeps the status unchanged. */
  running: string;
  startEvent: string;
  /** Return the job record with the claim (the handler reads it). */
  record: boolean;
}

export type ClaimReply =
  | { code: 'claimed'; token: string; attempt: number; record: string }
  | { code: 'busy' | 'stale' | 'dead' };

const sameList = (a: readonly string[], b: readonly string[]) => a === b || (a.length === b.length && a.every((x, i) => x === b[i]));
const sameRoute = (a: ClaimItem, b: ClaimItem) =>
  a.running === b.running && a.startEvent === b.startEvent && a.record === b.record && sameList(a.expect, b.expect);

/** claim.lua for a whole batch, as a call that can share a pipeline with others. */
export function claimCall(
  k: StreamKeys & { dead: string },
  a: { consumer: string; now: number; leaseMs: number; maxAttempts: number; graceMs: number; fields: readonly string[] },
  items: readonly ClaimItem[],
): ScriptCall<ClaimReply[]> {
  const keys: string[] = [k.stream, k.entries, k.dead];
  // Entries of one batch mostly share a route: send each distinct route once.
  const routes: ClaimItem[] = [];
  let record = false;
  let prev: ClaimItem | undefined;
  let prevIdx = 0;
  const routeOf: number[] = [];
  for (const it of items) {
    const jk = it.keys;
    keys.push(jk.job, jk.lock, jk.events);
    if (!prev || !sameRoute(prev, it)) {
      prevIdx = routes.findIndex((r) => sameRoute(r, it)) + 1;
      if (prevIdx === 0) prevIdx = routes.push(it);
      prev = it;
      record ||= it.record;
    }
    routeOf.push(prevIdx);
  }
  // The record's field names only travel when some route of the batch wants the record.
  const fields = record ? a.fields : [];
  const argv: (string | number)[] = [k.group, a.consumer, a.now, a.leaseMs, a.maxAttempts, a.graceMs, items.length, fields.length];
  for (const f of fields) argv.push(f);
  argv.push(routes.length);
  for (const r of routes) argv.push(r.expect.join(','), r.running, r.startEvent, r.record ? '1' : '');
  argv.push(k.jobKey[0], k.jobKey[1], k.jobChannel[0], k.jobChannel[1]);
  // Per entry only what varies: the route index only when the batch has more than one route.
  const many = routes.length > 1;
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!;
    if (many) argv.push(it.entryId, routeOf[i]!);
    else argv.push(it.entryId);
  }
  return {
    name: 'claim',
    keys,
    argv,
    parse: (raw) => {
      // Flat reply: code, token, attempt, record per entry.
      const r = raw as string[];
      const out: ClaimReply[] = new Array<ClaimReply>(r.length / 4);
      for (let i = 0, j = 0; i < r.length; i += 4, j++) {
        const code = r[i] as ClaimReply['code'];
        out[j] = code === 'claimed' ? { code, token: r[i + 1]!, attempt: Number(r[i + 2]), record: r[i + 3]! } : { code };
      }
      return out;
    },
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
  next?: StreamKeys | undefined;
  /** complete: next envelope; retry/fail/release: the entry's data. */
  data: string;
  /** complete: '1' if terminal; retry: due ms; fail: '1' to dead-letter. */
  arg: string;
}

export type FinishReply = 'applied' | 'stale' | 'gone';

/** Items that end the same way share one template of finish.lua. */
const sameEnding = (a: FinishItem, b: FinishItem) =>
  a.op === b.op && a.to === b.to && a.eventType === b.eventType && a.eventData === b.eventData && a.arg === b.arg &&
  a.next?.stream === b.next?.stream && sameList(a.from, b.from);

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
  const templates: FinishItem[] = [];
  const templateOf: number[] = [];
  // Per job: hash, events, and the lock the applied outcome deletes.
  const jobKeysFlat: string[] = [];
  let prev: FinishItem | undefined;
  let prevIdx = 0;
  let wide = false;
  for (const it of items) {
    const jk = it.keys;
    jobKeysFlat.push(jk.job, jk.events, jk.lock);
    if (!prev || !sameEnding(prev, it)) {
      prevIdx = templates.findIndex((t) => sameEnding(t, it)) + 1;
      if (prevIdx === 0) prevIdx = templates.push(it);
      prev = it;
    }
    templateOf.push(prevIdx);
    wide ||= it.patch.length > 0 || it.data !== '';
  }
  const keys: string[] = [k.stream, k.entries, k.dead, k.delayed];
  const argv: (string | number)[] = [k.group, a.now, a.graceMs, k.kind, 0, items.length];
  const tpl: (string | number)[] = [templates.length];
  for (const t of templates) tpl.push(OP_CODES[t.op], t.from.join(','), t.to, t.eventType, t.eventData, nextIndex(t.next), t.arg);
  for (const s of nexts) {
    keys.push(s.stream, s.entries);
    argv.push(s.group, s.kind);
  }
  argv[4] = nexts.length;
  for (const x of jobKeysFlat) keys.push(x);
  for (const x of tpl) argv.push(x);
  argv.push(k.jobKey[0], k.jobKey[1], k.jobChannel[0], k.jobChannel[1], wide ? '1' : '');
  // Per job only what varies: the template index when there are several, the patch and data
  // when some job of the batch has them.
  const many = templates.length > 1;
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!;
    argv.push(it.entryId, it.token);
    if (many) argv.push(templateOf[i]!);
    if (wide) argv.push(it.patch.length > 0 ? JSON.stringify(it.patch) : '', it.data);
  }
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
