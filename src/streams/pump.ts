/**
 * The consumer's Redis pump: every "step" sends the outcomes finished so far (finish.lua) and
 * claims as many waiting entries as there are free slots (claim.lua), both in the same tick so
 * they share one round trip. At most `maxSteps` steps are in flight; everything that becomes
 * ready meanwhile rides the next step, so batches grow with load and stay at one job when idle.
 *
 * A failed finish (connection lost) is queued again: finish.lua is idempotent, and an outcome
 * whose lease lapsed meanwhile is rejected by the fence, never applied twice. Entries whose claim
 * failed stay pending in the group; the reclaimer takes them back once idle past the lease.
 */
import type { Redis } from 'ioredis';
import {
  claimCall,
  finishCall,
  runCalls,
  type ClaimItem,
  type ClaimReply,
  type FinishItem,
  type FinishReply,
  type ScriptCall,
  type StreamKeys,
} from '../redis/scripts.js';
import type { StreamLogger } from './types.js';

/** An entry decoded and routed, waiting for a slot to be claimed. */
export interface Waiting<M> {
  item: ClaimItem;
  msg: M;
  data: string;
  /** When it was read (ms). */
  readAt: number;
}

interface Outgoing {
  item: FinishItem;
  resolve(r: FinishReply | 'dropped'): void;
}

export interface PumpDeps<M> {
  redis: Redis;
  stream: StreamKeys & { dead: string; delayed: string };
  claimArgs(): Parameters<typeof claimCall>[1];
  graceMs: number;
  clock: () => number;
  log: StreamLogger;
  /** Slots free for claims right now (outcomes already sent count as free). */
  freeSlots(): number;
  claimed(w: Waiting<M>, reply: ClaimReply): void;
  /** Called after each step settles (slots and buffer space may have freed). */
  settled(): void;
  /** @defaultValue 2 */
  maxSteps?: number;
  /** @defaultValue 500 */
  maxBatch?: number;
}

export interface Pump<M> {
  /** Entries waiting for a slot (read ahead or reclaimed). */
  readonly waiting: Waiting<M>[];
  /** Outcomes not yet sent. */
  queued(): number;
  /** Claims sent and not yet answered. */
  claiming(): number;
  offer(entries: Waiting<M>[]): void;
  finish(item: FinishItem): Promise<FinishReply | 'dropped'>;
  /** Runs a step soon if there is anything to send. */
  kick(): void;
  /** Resolves true once no outcome is queued or in flight, false after `timeoutMs`. */
  drain(timeoutMs: number): Promise<boolean>;
  /** Stops claiming (waiting entries stay for the caller to hand back). */
  stopClaiming(): void;
  /** Stops everything; queued outcomes resolve 'dropped'. */
  stop(): void;
}

export function createPump<M>(d: PumpDeps<M>): Pump<M> {
  const maxSteps = d.maxSteps ?? 2;
  const maxBatch = d.maxBatch ?? 500;
  const waiting: Waiting<M>[] = [];
  let outgoing: Outgoing[] = [];
  let steps = 0;
  let finishing = 0;
  let claimsInFlight = 0;
  let scheduled = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let failures = 0;
  let claiming = true;
  let stopped = false;
  let idleWaiters: (() => void)[] = [];

  const finishIdle = () => outgoing.length === 0 && finishing === 0;
  const notifyIdle = () => {
    if (!finishIdle()) return;
    const w = idleWaiters;
    idleWaiters = [];
    for (const f of w) f();
  };

  function kick(): void {
    if (scheduled || stopped || retryTimer) return;
    scheduled = true;
    setImmediate(step);
  }

  function step(): void {
    scheduled = false;
    if (stopped || steps >= maxSteps) return;
    const fin = outgoing.length <= maxBatch ? outgoing : outgoing.slice(0, maxBatch);
    outgoing = outgoing.length <= maxBatch ? [] : outgoing.slice(maxBatch);
    const n = claiming ? Math.min(waiting.length, Math.max(0, d.freeSlots()), maxBatch) : 0;
    const claims = waiting.splice(0, n);
    if (fin.length === 0 && claims.length === 0) return notifyIdle();
    steps++;
    const now = d.clock();
    const calls: ScriptCall<unknown>[] = [];
    if (fin.length > 0) {
      finishing += fin.length;
      calls.push(finishCall(d.stream, { now, graceMs: d.graceMs }, fin.map((o) => o.item)));
    }
    if (claims.length > 0) {
      claimsInFlight += claims.length;
      calls.push(claimCall(d.stream, d.claimArgs(), claims.map((w) => w.item)));
    }
    // Finish and claim go out back to back: one round trip.
    const work = runCalls(d.redis, calls).then((results) => {
      let i = 0;
      if (fin.length > 0) {
        const r = results[i++]!;
        finishing -= fin.length;
        if (r.status === 'fulfilled') {
          failures = 0;
          const replies = r.value as FinishReply[];
          fin.forEach((o, j) => o.resolve(replies[j] ?? 'stale'));
        } else {
          failures++;
          d.log.warn({ err: (r.reason as Error).message, jobs: fin.length }, 'finish failed; retrying');
          outgoing = fin.concat(outgoing);
          const delay = Math.min(2_000, 50 * 2 ** Math.min(failures, 6));
          retryTimer ??= setTimeout(() => {
            retryTimer = undefined;
            kick();
          }, delay);
        }
      }
      if (claims.length > 0) {
        const r = results[i]!;
        claimsInFlight -= claims.length;
        if (r.status === 'fulfilled') {
          const replies = r.value as ClaimReply[];
          claims.forEach((w, j) => d.claimed(w, replies[j] ?? { code: 'busy' }));
        } else {
          d.log.error({ err: (r.reason as Error).message, entries: claims.length }, 'claim failed; entries left to the reclaimer');
          for (const w of claims) d.claimed(w, { code: 'busy' });
        }
      }
    });
    void work.finally(() => {
      steps--;
      d.settled();
      notifyIdle();
      if (outgoing.length > 0 || (claiming && waiting.length > 0 && d.freeSlots() > 0)) kick();
    });
    // Another step may start at once with whatever is left.
    if (outgoing.length > 0 || (claiming && waiting.length > 0 && d.freeSlots() > 0)) kick();
  }

  return {
    waiting,
    queued: () => outgoing.length,
    claiming: () => claimsInFlight,
    offer(entries) {
      for (const e of entries) waiting.push(e);
      // Idle pump: claim at once (enqueue-to-start latency); otherwise ride the next step.
      if (steps === 0 && !scheduled && outgoing.length === 0 && !retryTimer && !stopped) step();
      else kick();
    },
    finish(item) {
      if (stopped) return Promise.resolve('dropped');
      return new Promise((resolve) => {
        outgoing.push({ item, resolve });
        kick();
      });
    },
    kick,
    drain(timeoutMs) {
      if (finishIdle()) return Promise.resolve(true);
      return new Promise((resolve) => {
        const t = setTimeout(() => resolve(false), timeoutMs);
        idleWaiters.push(() => {
          clearTimeout(t);
          resolve(true);
        });
      });
    },
    stopClaiming() {
      claiming = false;
    },
    stop() {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      const q = outgoing;
      outgoing = [];
      for (const o of q) o.resolve('dropped');
      notifyIdle();
    },
  };
}
