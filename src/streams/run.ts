/**
 * One claimed job inside a consumer: its handler context (lazy job record, logger and abort
 * signal, fenced progress) and the batched lease heartbeat of all running jobs.
 */
import type { Redis } from 'ioredis';
import { AppError, ERRORS } from '../errors/index.js';
import { decodeJobJoined } from '../jobs/hash.js';
import type { JobRecord } from '../jobs/types.js';
import { heartbeatScript, progressScript, type StreamKeys } from '../redis/scripts.js';
import type { RunRef } from './outcome.js';
import type { Waiting } from './pump.js';
import { LeaseLostError, type JobContext, type Route, type StreamLogger } from './types.js';

export interface RunDeps {
  redis: Redis;
  log: StreamLogger;
  clock: () => number;
  onLost(run: Run, reason: string): void;
  progressEventIntervalMs: number;
}

/**
 * One claimed job: the runtime's bookkeeping and, as `ctx`, the handler's `JobContext`.
 *
 * A class with prototype getters (not an object literal with closures): it is built once per job
 * on the hot path, and the record, logger and abort signal are only made if the handler asks.
 */
export class Run implements RunRef, JobContext {
  readonly jobId: string;
  entryId: string;
  readonly token: string;
  readonly attempt: number;
  readonly data: string;
  readonly traceparent?: string;
  readonly route: Route;
  readonly keys: RunRef['keys'];
  readonly startedAt: number;
  state: 'running' | 'finishing' | 'lost' | 'released' = 'running';
  private ctrl?: AbortController;
  private abortedWith?: Error;
  private record?: JobRecord;
  private child?: StreamLogger;
  private lastProgressEvent = 0;

  constructor(
    w: Waiting<{ traceparent?: string }>,
    token: string,
    attempt: number,
    private readonly joined: string,
    private readonly deps: RunDeps,
  ) {
    const it = w.item;
    this.jobId = it.jobId;
    this.entryId = it.entryId;
    this.token = token;
    this.attempt = attempt;
    this.data = w.data;
    this.traceparent = w.msg.traceparent;
    this.route = { expect: it.expect, running: (it.running || undefined), record: it.record } as Route;
    this.keys = it.keys;
    this.startedAt = deps.clock();
  }

  /** The handler's view of this run. */
  get ctx(): JobContext {
    return this;
  }

  abort(reason: Error): void {
    this.abortedWith ??= reason;
    this.ctrl?.abort(reason);
  }

  get signal(): AbortSignal {
    if (!this.ctrl) {
      this.ctrl = new AbortController();
      if (this.abortedWith) this.ctrl.abort(this.abortedWith);
    }
    return this.ctrl.signal;
  }

  get job(): JobRecord {
    if (!this.record) {
      // A programming error, not a passing failure: fail the job at once rather than retry it.
      if (this.route.record === false) throw new AppError('internal_error', 500, `the route of job ${this.jobId} does not load the job record (record: false)`, false);
      try {
        const rec = decodeJobJoined(this.joined);
        if (rec) {
          // claim.lua returns the record as read before it claimed: apply the claim itself.
          if (this.route.running) rec.status = this.route.running;
          rec.fence = Number(this.token);
          rec.attempts = this.attempt;
          rec.updatedAt = this.startedAt;
          this.record = rec;
        }
      } catch (err) {
        throw ERRORS.validation(`job ${this.jobId} has a corrupt record: ${(err as Error).message}`);
      }
      if (!this.record) throw ERRORS.validation(`job ${this.jobId} has no record`);
    }
    return this.record;
  }

  get log(): StreamLogger {
    const log = this.deps.log;
    // The trace id of the stream entry's W3C traceparent (`00-<trace id>-<span id>-<flags>`).
    const traceId = this.traceparent?.length === 55 ? this.traceparent.slice(3, 35) : undefined;
    return (this.child ??= log.child ? log.child({ jobId: this.jobId, attempt: this.attempt, ...(traceId ? { traceId } : {}) }) : log);
  }

  async progress(pct: number, extra?: Record<string, unknown>): Promise<void> {
    if (this.state !== 'running') throw new LeaseLostError(this.jobId, this.state);
    const now = this.deps.clock();
    const value = Math.max(0, Math.min(100, Math.round(pct)));
    const emit = now - this.lastProgressEvent >= this.deps.progressEventIntervalMs;
    if (emit) this.lastProgressEvent = now;
    const ok = await progressScript(this.deps.redis, this.keys, {
      token: this.token, progress: value, now, emit, data: JSON.stringify({ ...extra, progress: value }),
    });
    if (!ok) {
      this.deps.onLost(this, 'fence moved');
      throw new LeaseLostError(this.jobId, 'fence moved');
    }
  }
}

/** Extends the leases of every running job every lease/3 in one script call; returns a stop function. */
export function startHeartbeat(o: {
  redis: Redis;
  stream: StreamKeys;
  consumerName: string;
  leaseMs: number;
  clock: () => number;
  log: StreamLogger;
  runs(): Iterable<Run>;
  lose(run: Run, reason: string): void;
  entryIds: Set<string>;
}): () => void {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    const now = o.clock();
    const due = [...o.runs()].filter((r) => (r.state === 'running' || r.state === 'finishing') && now - r.startedAt >= o.leaseMs / 4);
    if (due.length === 0) return;
    busy = true;
    heartbeatScript(o.redis, o.stream, { consumer: o.consumerName, leaseMs: o.leaseMs }, due)
      .then((replies) =>
        replies.forEach((r, i) => {
          const run = due[i]!;
          // A finishing run reads as lost once its own outcome applied (the fence moved on): not a loss.
          if (r === 'lost') {
            if (run.state === 'running') o.lose(run, 'lease taken over or job changed');
          } else if (r !== 'ok') {
            o.entryIds.delete(run.entryId);
            run.entryId = r;
            o.entryIds.add(r);
          }
        }),
      )
      .catch((err: Error) => o.log.warn({ err: err.message }, 'heartbeat failed'))
      .finally(() => (busy = false));
  }, Math.max(20, Math.floor(o.leaseMs / 3)));
  return () => clearInterval(timer);
}
