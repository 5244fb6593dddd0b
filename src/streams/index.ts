/**
 * The generic Redis Streams job runtime: consumer groups, the consumer loop with leases and
 * fencing, and the housekeeping loops. See docs/job-runtime.md.
 */
export { runConsumer } from './consumer.js';
export { ensureGroup, ensureGroups } from './groups.js';
export { decodeEntry, type DecodedEntry } from './decode.js';
export { promoteOnce, reclaimOnce, sweepOutboxOnce } from './maintenance.js';
export {
  LeaseLostError,
  type Consumer,
  type ConsumerOptions,
  type ConsumerStats,
  type JobContext,
  type MaintenanceOptions,
  type Outcome,
  type Route,
  type SettledJob,
  type StreamLogger,
} from './types.js';
export { backoffDelay } from '../jobs/backoff.js';
