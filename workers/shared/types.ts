/**
 * What a worker kind defines (its stream, schema, route and handler) and what its handler may use.
 */
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import type { Config } from '../../src/config/env.js';
import type { Envelope } from '../../src/contracts/index.js';
import type { JobStore } from '../../src/jobs/types.js';
import type { Logger } from '../../src/lib/logger.js';
import type { Keys, StreamKind } from '../../src/redis/keys.js';
import type { ObjectStore } from '../../src/storage/object-store.js';
import type { JobContext, Outcome, Route } from '../../src/streams/index.js';

/** What a handler may use besides its message and job context. */
export interface WorkerDeps {
  config: Config;
  redis: Redis;
  keys: Keys;
  jobs: JobStore;
  store: ObjectStore;
  log: Logger;
}

export interface WorkerDefinition<M extends Envelope> {
  kind: StreamKind;
  schema: z.ZodType<M>;
  /** Jobs in flight per process unless WORKER_CONCURRENCY says otherwise. */
  defaultConcurrency: number;
  route(msg: M): Route;
  handle(msg: M, ctx: JobContext, deps: WorkerDeps): Promise<Outcome | null>;
  /** Periodic housekeeping owned by this kind (e.g. retention), stopped by the signal. */
  background?(deps: WorkerDeps, signal: AbortSignal): Promise<void>;
}
