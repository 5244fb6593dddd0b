/**
 * Metrics and trace context of the jobs one worker runs: each handler call runs under a span
 * whose parent is the stream entry's `traceparent`; settled outcomes, handler errors by code and
 * the runtime's counts (takeovers, fence rejections, lost leases) go to Prometheus.
 */
import type { Envelope } from '../../src/contracts/index.js';
import { AppError } from '../../src/errors/index.js';
import { inFlightReaders, jobMetrics, runtimeMetrics } from '../../src/observability/metrics.js';
import { tracingState, withRemoteParent } from '../../src/observability/trace-context.js';
import type { ConsumerOptions, JobContext, Outcome, SettledJob } from '../../src/streams/index.js';

type CountFn = NonNullable<ConsumerOptions<Envelope>['onCount']>;

/** Bounded error-code label: catalogue codes as they are, anything else `internal`. */
function codeOf(err: unknown): string {
  return err instanceof AppError && /^[a-z0-9_]{1,40}$/.test(err.code) ? err.code : 'internal';
}

/** The observer of one consumer: `handle` wraps the handler, `settled` and `count` are the consumer's hooks. */
export function jobObserver(stream: string, inFlight: () => number) {
  const l = { stream };
  inFlightReaders.set(stream, inFlight);
  // Series exist from the start (at 0), so rate() and alerts see the first increment.
  for (const c of [runtimeMetrics.takeovers, runtimeMetrics.fenceRejections, runtimeMetrics.leasesLost, runtimeMetrics.invalid]) c.inc(l, 0);
  // Labelled children cached per outcome: the per-job cost is an increment and a bucket lookup.
  const byOutcome = new Map<string, { finished: { inc(): void }; duration: { observe(v: number): void } }>();
  const children = (outcome: string) => {
    let c = byOutcome.get(outcome);
    if (!c) byOutcome.set(outcome, (c = { finished: jobMetrics.finished.labels({ stream, outcome }), duration: jobMetrics.stageDuration.labels({ stream, outcome }) }));
    return c;
  };
  for (const outcome of ['completed', 'failed', 'dead', 'retried']) jobMetrics.finished.inc({ stream, outcome }, 0);
  return {
    async handle(msg: Envelope, ctx: JobContext, run: () => Promise<Outcome | null>): Promise<Outcome | null> {
      try {
        // Tracing off: not even the span name is built.
        const out = await (tracingState.tracer
          ? withRemoteParent(msg.traceparent, `${stream} ${msg.type}`, { 'sheetdiff.stream': stream, 'sheetdiff.attempt': ctx.attempt }, run)
          : run());
        if (out?.to === 'failed') {
          const code = out.event.data?.code;
          jobMetrics.failures.inc({ stream, code: typeof code === 'string' && /^[a-z0-9_]{1,40}$/.test(code) ? code : 'unknown' });
        }
        return out;
      } catch (err) {
        jobMetrics.failures.inc({ stream, code: codeOf(err) });
        throw err;
      }
    },
    settled(job: SettledJob): void {
      const c = children(job.result);
      c.finished.inc();
      c.duration.observe(job.durationMs / 1000);
    },
    count: ((what, n) => {
      if (what === 'reclaimed') runtimeMetrics.takeovers.inc(l, n);
      else if (what === 'rejected') runtimeMetrics.fenceRejections.inc(l, n);
      else if (what === 'lost') runtimeMetrics.leasesLost.inc(l, n);
      else if (what === 'invalid') runtimeMetrics.invalid.inc(l, n);
    }) satisfies CountFn,
  };
}
