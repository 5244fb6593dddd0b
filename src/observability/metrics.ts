/**
 * Every Prometheus metric sheetdiff exports, on prom-client's default registry (one registry per
 * process; the export metrics of src/exports/metrics.ts live there too), so the API's `/metrics`
 * and each worker's metrics port serve the same set.
 *
 * Conventions: `sheetdiff_` prefix, the unit in the name (`_seconds`, `_bytes`), `_total` on
 * counters, and only bounded label values (kinds, stages, outcomes, route templates, error codes:
 * never job ids, keys or URLs).
 */
import { Counter, Gauge, Histogram, collectDefaultMetrics, register, type Registry } from 'prom-client';
import { HotHistogram, type HotHistogramChild } from './hot-histogram.js';

/** The registry every metric below is registered on. */
export const registry: Registry = register;

/** Reuses a metric already registered under `name` (a module loaded twice, e.g. under tests). */
function once<T>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

/** Seconds buckets from 5 ms to 10 min: HTTP requests are short, stages may be long. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

export const httpMetrics = {
  duration: once('sheetdiff_http_request_duration_seconds', () =>
    new Histogram({
      name: 'sheetdiff_http_request_duration_seconds',
      help: 'API request duration by method, route template and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: DURATION_BUCKETS,
    }),
  ),
};

/** Job stage durations, per stream and outcome; observed once per settled job (see ./hot-histogram.ts). */
const stageDuration = once('sheetdiff_job_stage_duration_seconds', () =>
  new HotHistogram(
    'sheetdiff_job_stage_duration_seconds',
    'time from claim to settled outcome of one job stage, by stream and outcome',
    ['stream', 'outcome'],
    DURATION_BUCKETS,
  ),
);

/** Per stage-duration label set, how many of its observations `jobs_finished_total` counted already. */
const finishedCounted = new WeakMap<HotHistogramChild, number>();

export const jobMetrics = {
  created: once('sheetdiff_jobs_created_total', () =>
    new Counter({ name: 'sheetdiff_jobs_created_total', help: 'jobs created (and enqueued) by kind', labelNames: ['kind'] }),
  ),
  /**
   * Every settled job is observed once in `stageDuration`, so this counter is that histogram's
   * count per label set, brought up to date when it is collected (nothing to do per job).
   */
  finished: once('sheetdiff_jobs_finished_total', () =>
    new Counter({
      name: 'sheetdiff_jobs_finished_total',
      help: 'job stage deliveries settled by this process, by stream and outcome (completed, retried, failed, dead, released, rejected, lost)',
      labelNames: ['stream', 'outcome'],
      collect() {
        for (const c of stageDuration.all()) {
          const seen = finishedCounted.get(c) ?? 0;
          if (c.count > seen) this.inc(c.labels, c.count - seen);
          finishedCounted.set(c, c.count);
        }
      },
    }),
  ),
  failures: once('sheetdiff_job_failures_total', () =>
    new Counter({ name: 'sheetdiff_job_failures_total', help: 'handler errors (terminal or retried), failed outcomes and dead letters, by stream and error code', labelNames: ['stream', 'code'] }),
  ),
  stageDuration,
};

export const runtimeMetrics = {
  takeovers: once('sheetdiff_lock_takeovers_total', () =>
    new Counter({ name: 'sheetdiff_lock_takeovers_total', help: 'entries taken over from another consumer after their lease lapsed (XAUTOCLAIM)', labelNames: ['stream'] }),
  ),
  fenceRejections: once('sheetdiff_fence_rejections_total', () =>
    new Counter({ name: 'sheetdiff_fence_rejections_total', help: 'writes refused because the fencing token had moved on (outcome or progress of a stale run)', labelNames: ['stream'] }),
  ),
  leasesLost: once('sheetdiff_leases_lost_total', () =>
    new Counter({ name: 'sheetdiff_leases_lost_total', help: 'running jobs abandoned because their lease was lost', labelNames: ['stream'] }),
  ),
  invalid: once('sheetdiff_stream_invalid_entries_total', () =>
    new Counter({ name: 'sheetdiff_stream_invalid_entries_total', help: 'undecodable stream entries dead-lettered', labelNames: ['stream'] }),
  ),
  inFlight: once('sheetdiff_jobs_in_flight', () =>
    new Gauge({
      name: 'sheetdiff_jobs_in_flight',
      help: 'jobs running in this process',
      labelNames: ['stream'],
      // Read at scrape time from the consumers (no work per job).
      collect() {
        for (const [stream, read] of inFlightReaders) this.set({ stream }, read());
      },
    }),
  ),
};

/** Per stream, how to read the number of jobs in flight (set by each consumer's observer). */
export const inFlightReaders = new Map<string, () => number>();

/** Sampled from Redis on an interval by the stream sampler, never per scrape. */
export const streamMetrics = {
  length: once('sheetdiff_stream_length', () =>
    new Gauge({ name: 'sheetdiff_stream_length', help: 'entries in the stream (XLEN)', labelNames: ['stream'] }),
  ),
  entriesAdded: once('sheetdiff_stream_entries_added_total', () =>
    new Counter({ name: 'sheetdiff_stream_entries_added_total', help: 'entries ever added to the stream (XINFO STREAM entries-added): enqueue rate', labelNames: ['stream'] }),
  ),
  pending: once('sheetdiff_stream_pending', () =>
    new Gauge({ name: 'sheetdiff_stream_pending', help: 'entries delivered to a consumer and not yet acked', labelNames: ['stream'] }),
  ),
  lag: once('sheetdiff_stream_lag', () =>
    new Gauge({ name: 'sheetdiff_stream_lag', help: 'entries no consumer of the group has read yet (XINFO GROUPS lag)', labelNames: ['stream'] }),
  ),
  oldestPendingAge: once('sheetdiff_stream_oldest_pending_age_seconds', () =>
    new Gauge({ name: 'sheetdiff_stream_oldest_pending_age_seconds', help: 'age of the oldest pending entry (0 when none)', labelNames: ['stream'] }),
  ),
  delayed: once('sheetdiff_stream_delayed', () =>
    new Gauge({ name: 'sheetdiff_stream_delayed', help: 'retries waiting for their backoff before re-entering the stream', labelNames: ['stream'] }),
  ),
  deadLetters: once('sheetdiff_dead_letters', () =>
    new Gauge({ name: 'sheetdiff_dead_letters', help: 'entries in the dead-letter stream' }),
  ),
  sampleAge: once('sheetdiff_stream_sample_timestamp_seconds', () =>
    new Gauge({ name: 'sheetdiff_stream_sample_timestamp_seconds', help: 'unix time of the last successful stream sample' }),
  ),
};

export const storageMetrics = {
  duration: once('sheetdiff_storage_operation_duration_seconds', () =>
    new Histogram({
      name: 'sheetdiff_storage_operation_duration_seconds',
      help: 'object storage operations by operation and result',
      labelNames: ['operation', 'result'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    }),
  ),
  errors: once('sheetdiff_storage_errors_total', () =>
    new Counter({ name: 'sheetdiff_storage_errors_total', help: 'failed object storage operations by operation and error code', labelNames: ['operation', 'code'] }),
  ),
};

const paymentCounters = {
  orders: once('sheetdiff_payment_orders_total', () =>
    new Counter({ name: 'sheetdiff_payment_orders_total', help: 'payment orders entering a state (created, paid, closed, refunded…)', labelNames: ['state'] }),
  ),
  notifications: once('sheetdiff_payment_notifications_total', () =>
    new Counter({ name: 'sheetdiff_payment_notifications_total', help: 'payment notifications received, by outcome (applied, duplicate, ignored, refund_recorded, rejected_<code>, invalid, unknown_order, mismatch, error)', labelNames: ['outcome'] }),
  ),
  refunds: once('sheetdiff_payment_refunds_total', () =>
    new Counter({
      name: 'sheetdiff_payment_refunds_total',
      help: 'refunds by outcome: requested (sent to the provider), succeeded, closed (provider closed it; retried), abnormal (provider could not pay it back; needs an operator), error (the request failed; retried), balance (credited back to the balance)',
      labelNames: ['outcome'],
    }),
  ),
};

/** Cap on distinct label values a caller-provided label may take (guards against unbounded labels). */
const MAX_LABEL_VALUES = 32;
const seen = new Map<string, Set<string>>();
function bounded(metric: string, value: string): string {
  const v = /^[a-z0-9_]{1,40}$/.test(value) ? value : 'other';
  let set = seen.get(metric);
  if (!set) seen.set(metric, (set = new Set()));
  if (set.has(v)) return v;
  if (set.size >= MAX_LABEL_VALUES) return 'other';
  set.add(v);
  return v;
}

/**
 * The small API payment code reports through (API notification route, payment worker).
 *
 * Label values are lower-case words; anything else (or past 32 distinct values) is `other`, so a
 * caller can never blow up the series count.
 */
export const paymentMetrics = {
  /** An order entered `state` (e.g. `created`, `paid`, `closed`, `refunded`). */
  orderState(state: string): void {
    paymentCounters.orders.inc({ state: bounded('orders', state) });
  },
  /** A notification was handled with `outcome` (e.g. `applied`, `duplicate`, `rejected_signature`). */
  notification(outcome: string): void {
    paymentCounters.notifications.inc({ outcome: bounded('notifications', outcome) });
  },
  /** A refund reached `outcome` (`requested`, `succeeded`, `closed`, `abnormal`, `error`, `balance`). */
  refund(outcome: string): void {
    paymentCounters.refunds.inc({ outcome: bounded('refunds', outcome) });
  },
};

let defaultsOn = false;
/** Process metrics (CPU, memory, event-loop lag, GC) with Prometheus' standard names; once per process. */
export function collectProcessMetrics(): void {
  if (defaultsOn) return;
  defaultsOn = true;
  collectDefaultMetrics({ register });
}

/** The text exposition of every metric, and its content type. */
export async function renderMetrics(): Promise<{ contentType: string; body: string }> {
  return { contentType: register.contentType, body: await register.metrics() };
}
