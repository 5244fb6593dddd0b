/**
 * What the use-cases in src/services receive: clients and configuration as values, never globals.
 */
import type { Redis } from 'ioredis';
import type { Config } from '../config/env.js';
import type { JobStore } from '../jobs/types.js';
import type { Logger } from '../lib/logger.js';
import type { Keys } from '../redis/keys.js';
import type { ObjectStore } from '../storage/object-store.js';

/** Wall clock in ms since epoch; injected so tests can move time (same shape as the job store's). */
export type Clock = () => number;

/** Everything a request-level use-case may touch. */
export interface ServiceDeps {
  config: Config;
  redis: Redis;
  keys: Keys;
  store: ObjectStore;
  jobs: JobStore;
  log: Logger;
  clock: Clock;
}

/** Who is asking: an anonymous browser account (cookie) or a service (API key). */
export interface Caller {
  accountId: string;
  via: 'cookie' | 'apiKey';
  apiKeyId?: string;
}
