/**
 * Metrics and trace context of the jobs one worker runs: each handler call runs under a span
 * whose parent is the stream entry's `traceparent`; settled outcomes, handler errors by code and
 * the runtime's counts (takeovers, fence rejections, lost leases) go to Prometheus.
 */
import type { Envelope } from '../../src/contracts/index.js';
import { AppError } from '../../src/errors/index.js';
import { jobMetrics, runtimeMetrics } from '../../src/observability/metrics.js';
import { withRemoteParent } from '../../src/observability/trace-context.js';
import type { ConsumerOptions, JobContext, Outcome, SettledJob } from '../../src/streams/index.js';

type CountFn = NonNullable<ConsumerOptions<Envelope>['onCount']>;

/** Bounded error-code label: catalogue codes as they are, anything else `internal`. */
function codeOf(err: unknown): string {
  return err instanceof AppError && /^[a-z0-9_]{1,40}$/.test(err.code) ? err.code : 'internal';
}

export function jobObserver(stream: string, inFlight: () => number) {
  const l = { stream };
  runtimeMetrics.inFlight.set(l, 0);
  // Series exist from the start (at 0), so rate() and alerts see the first increment.
  for (const c of [runtimeMetrics.takeovers, runtimeMetrics.fenceRejections, runtimeMetrics.leasesLost, runtimeMetrics.invalid]) c.inc(l, 0);
  for (const outcome of ['completed', 'failed', 'dead', 'retried']) jobMetrics.finished.inc({ stream, outcome }, 0);
  return {
    async handle(msg: Envelope, ctx: JobContext, run: () => Promise<Outcome | null>): Promise<Outcome | null> {
      try {
        const out = await withRemoteParent(msg.traceparent, `${stream} ${msg.type}`, { 'sheetdiff.stream': stream, 'sheetdiff.attempt': ctx.attempt }, run);
        if (out?.to === 'failed') {
          const code = out.event.data?.code;
          jobMetrics.failures.inc({ stream, code: typeof code === 'string' && /^[a-z0-9_]{1,40}$/.test(code) ? code : 'unknown' });
        }
        return out;
      } catch (err) {
        jobMetrics.failures.inc({ stream, code: codeOf(err) });
        throw err;
      } finally {
        runtimeMetrics.inFlight.set(l, inFlight());
      }
    },
    settled(job: SettledJob): void {
      jobMetrics.finished.inc({ stream, outcome: job.result });
      jobMetrics.stageDuration.observe({ stream, outcome: job.result }, job.durationMs / 1000);
      runtimeMetrics.inFlight.set(l, inFlight());
    },
    count: ((what, n) => {
      if (what === 'reclaimed') runtimeMetrics.takeovers.inc(l, n);
      else if (what === 'rejected') runtimeMetrics.fenceRejections.inc(l, n);
      else if (what === 'lost') runtimeMetrics.leasesLost.inc(l, n);
      else if (what === 'invalid') runtimeMetrics.invalid.inc(l, n);
      else if (what === 'claimed') runtimeMetrics.inFlight.set(l, inFlight());
    }) satisfies CountFn,
  };
}
