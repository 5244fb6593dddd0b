/**
 * Metrics and trace context of the jobs one worker runs: each handler call runs under a span
 * whose parent is the stream entry's `traceparent` (tracing on); settled outcomes, their
 * durations and error codes, and the runtime's counts (takeovers, fence rejections, lost leases)
 * go to Prometheus.
 *
 * Per job, with tracing off, this costs one bucket search in a bound histogram child: the handler
 * is called as it is (no wrapper, no span, no context), failures are counted from the settled
 * job's code, and `jobs_finished_total` is derived from the histogram's counts when scraped
 * (`npm run bench:queue -- --observability` measures it against no instrumentation at all).
 */
import type { Envelope } from '../../src/contracts/index.js';
import type { HotHistogramChild } from '../../src/observability/hot-histogram.js';
import { inFlightReaders, jobMetrics, runtimeMetrics } from '../../src/observability/metrics.js';
import { tracingState, withRemoteParent } from '../../src/observability/trace-context.js';
import type { ConsumerOptions, JobContext, Outcome, SettledJob } from '../../src/streams/index.js';

type CountFn = NonNullable<ConsumerOptions<Envelope>['onCount']>;

/** Bounded error-code label: catalogue-style codes as they are, anything else `unknown`. */
const codeLabel = (code: string): string => (/^[a-z0-9_]{1,40}$/.test(code) ? code : 'unknown');

const OUTCOMES: readonly SettledJob['result'][] = ['completed', 'retried', 'failed', 'dead', 'released', 'rejected', 'lost'];

/** The observer of one consumer: `handle` wraps the handler, `settled` and `count` are the consumer's hooks. */
export function jobObserver(stream: string, inFlight: () => number) {
  const l = { stream };
  inFlightReaders.set(stream, inFlight);
  // Series exist from the start (at 0), so rate() and alerts see the first increment.
  for (const c of [runtimeMetrics.takeovers, runtimeMetrics.fenceRejections, runtimeMetrics.leasesLost, runtimeMetrics.invalid]) c.inc(l, 0);
  for (const outcome of ['completed', 'failed', 'dead', 'retried']) jobMetrics.finished.inc({ stream, outcome }, 0);
  // One bound histogram child per outcome, looked up by a property read.
  const durations = {} as Record<SettledJob['result'], HotHistogramChild>;
  for (const outcome of OUTCOMES) durations[outcome] = jobMetrics.stageDuration.child({ stream, outcome });
  const traced = (msg: Envelope, ctx: JobContext, run: () => Promise<Outcome | null>) =>
    withRemoteParent(msg.traceparent, `${stream} ${msg.type}`, { 'sheetdiff.stream': stream, 'sheetdiff.attempt': ctx.attempt }, run);
  return {
    /** Runs `run` under the job's span (tracing on) or as it is (tracing off: no span, no context). */
    handle(msg: Envelope, ctx: JobContext, run: () => Promise<Outcome | null>): Promise<Outcome | null> {
      return tracingState.tracer ? traced(msg, ctx, run) : run();
    },
    /** `handler` for the consumer, under the job's span when tracing is on (no allocation per job when off). */
    wrap<M extends Envelope>(handler: (msg: M, ctx: JobContext) => Promise<Outcome | null>): (msg: M, ctx: JobContext) => Promise<Outcome | null> {
      return (msg, ctx) => (tracingState.tracer ? traced(msg, ctx, () => handler(msg, ctx)) : handler(msg, ctx));
    },
    settled(job: SettledJob): void {
      durations[job.result].observe(job.durationMs / 1000);
      if (job.code !== undefined) jobMetrics.failures.inc({ stream, code: codeLabel(job.code) });
    },
    count: ((what, n) => {
      if (what === 'reclaimed') runtimeMetrics.takeovers.inc(l, n);
      else if (what === 'rejected') runtimeMetrics.fenceRejections.inc(l, n);
      else if (what === 'lost') runtimeMetrics.leasesLost.inc(l, n);
      else if (what === 'invalid') runtimeMetrics.invalid.inc(l, n);
    }) satisfies CountFn,
  };
}
