/**
 * Public types of the stream consumer runtime: what a handler receives and returns, and the
 * options and handle of `runConsumer`.
 */
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import type { Config } from '../config/env.js';
import type { Envelope, JobStatus } from '../contracts/index.js';
import type { EventInput, JobFieldPatch, JobRecord, NextStage } from '../jobs/types.js';
import type { Keys, StreamKind } from '../redis/keys.js';

/** The logging surface the runtime needs (pino's `Logger` fits). */
export interface StreamLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
  child?(bindings: Record<string, unknown>): StreamLogger;
}

/**
 * Which job states a message applies to.
 *
 * `expect[0]` is the stage's input status: a retried or handed-back job returns to it.
 */
export interface Route {
  expect: readonly JobStatus[];
  /** Status while a worker runs the stage (e.g. `comparing`); omitted: the status is unchanged. */
  running?: JobStatus;
  /** Event type appended when the stage starts. @defaultValue `${kind}_started` */
  startEvent?: string;
  /**
   * Whether the handler reads `ctx.job`. The claim then returns the job record with the token;
   * a stage whose handler needs only its message sets `false` and saves reading and shipping
   * the record on every job (`ctx.job` then throws). @defaultValue true
   */
  record?: boolean;
}

/** What a handler returns: the transition to commit (fenced), with its event and next stage. */
export interface Outcome {
  to: JobStatus;
  patch?: JobFieldPatch;
  event: EventInput;
  next?: NextStage;
}

/** Everything a handler gets besides its message. */
export interface JobContext {
  jobId: string;
  /** The job as it was when claimed (decoded on first access; only if the route wants the record). */
  readonly job: JobRecord;
  /** Fencing token of this run; writes with an older token are rejected. */
  token: string;
  /** 1-based delivery number of the current stage. */
  attempt: number;
  /** Aborted when the lease is lost, the job changed under us, or the process shuts down. */
  signal: AbortSignal;
  /** Fenced progress write (0-100); rejects with `LeaseLostError` once the token is stale. */
  progress(pct: number, data?: Record<string, unknown>): Promise<void>;
  readonly log: StreamLogger;
}

/** What happened to one delivered job, for metrics and tests. */
export interface SettledJob {
  jobId: string;
  entryId: string;
  result: 'completed' | 'retried' | 'failed' | 'dead' | 'released' | 'rejected' | 'lost';
  to?: JobStatus;
  durationMs: number;
  /**
   * Error code when the run failed: the handler's thrown error (retried or not), a failed
   * outcome's `event.data.code`, or `max_attempts_exceeded` for a dead-lettered delivery.
   */
  code?: string;
}

export interface ConsumerOptions<M extends Envelope> {
  /** Command connection (scripts, reads); shared, not closed by the consumer. */
  redis: Redis;
  /** URL for the consumer's own blocking connection. */
  url: string;
  keys: Keys;
  kind: StreamKind;
  /** zod schema of this stream's envelope. */
  schema: z.ZodType<M>;
  /** Jobs in flight at most in this process. */
  concurrency: number;
  jobs: Config['jobs'];
  /** Unique per process (it names the stream consumer). */
  consumerName: string;
  log: StreamLogger;
  route(msg: M): Route;
  /** Runs one job; `null` means "nothing to change": the entry is acked and the status kept. */
  handle(msg: M, ctx: JobContext): Promise<Outcome | null>;
  /** Closing this signal closes the consumer (like calling `close()`). */
  signal?: AbortSignal;
  /** @defaultValue Date.now */
  clock?: () => number;
  /** @defaultValue DEFAULT_TOMBSTONE_GRACE_MS */
  tombstoneGraceMs?: number;
  /** Minimum time between two progress events of one job. @defaultValue 1000 */
  progressEventIntervalMs?: number;
  /** Housekeeping cadence; every loop is cheap and safe to run in many processes. */
  maintenance?: Partial<MaintenanceOptions>;
  onSettled?(job: SettledJob): void;
  /** Called with every increment of the consumer's stats (e.g. `reclaimed`, `rejected`), for metrics. */
  onCount?(what: Exclude<keyof ConsumerStats, 'inFlight'>, n: number): void;
}

export interface MaintenanceOptions {
  /** Run reclaimer, promoter, outbox sweeper and trimmer at all. @defaultValue true */
  enabled: boolean;
  /** Outbox marks older than this are enqueued by the sweeper. @defaultValue 5000 */
  outboxAgeMs: number;
  /** @defaultValue max(RECLAIM_INTERVAL_MS, 10000) */
  trimIntervalMs: number;
  /** @defaultValue clamp(RETRY_BASE_MS / 2, 50, 1000) */
  promoteIntervalMs: number;
  /** Idle consumers with nothing pending are forgotten after this. @defaultValue max(1 h, 10 · lease) */
  consumerIdleMs: number;
}

export interface ConsumerStats {
  inFlight: number;
  claimed: number;
  completed: number;
  retried: number;
  failed: number;
  deadLettered: number;
  rejected: number;
  released: number;
  lost: number;
  reclaimed: number;
  restored: number;
  invalid: number;
}

/** Handle of a running consumer. */
export interface Consumer {
  /** Graceful stop: stop reading, let in-flight jobs finish within the grace, hand back the rest. */
  close(): Promise<void>;
  /** Resolves once the consumer has fully stopped. */
  closed: Promise<void>;
  stats(): ConsumerStats;
}

/** Thrown into a handler (through `progress` and the abort signal) once its lease is gone. */
export class LeaseLostError extends Error {
  constructor(readonly jobId: string, reason: string) {
    super(`lease on job ${jobId} lost: ${reason}`);
    this.name = 'LeaseLostError';
  }
}
