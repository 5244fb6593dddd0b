import { register } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { jobMetrics } from '../../../src/observability/metrics.js';
import { jobObserver } from '../../../workers/shared/job-observer.js';

/** The value of one sample in the text exposition, 0 when absent. */
async function sample(name: string, labels: string): Promise<number> {
  const text = await register.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && labels.split(',').every((p) => l.includes(p)));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('jobObserver', () => {
  it('counts settled jobs by outcome, their durations and the codes of failures', async () => {
    const stream = `obs${Date.now() % 100000}`;
    const observe = jobObserver(stream, () => 0);
    const s = `stream="${stream}"`;
    expect(await sample('sheetdiff_jobs_finished_total', `${s},outcome="completed"`)).toBe(0);
    observe.settled({ jobId: 'a', entryId: '1-0', result: 'completed', durationMs: 20, to: 'compared' });
    observe.settled({ jobId: 'b', entryId: '2-0', result: 'completed', durationMs: 3_000, to: 'compared' });
    observe.settled({ jobId: 'c', entryId: '3-0', result: 'retried', durationMs: 5, code: 'storage_unavailable' });
    observe.settled({ jobId: 'd', entryId: '4-0', result: 'dead', durationMs: 0, to: 'failed', code: 'max_attempts_exceeded' });
    observe.settled({ jobId: 'e', entryId: '5-0', result: 'failed', durationMs: 1, to: 'failed', code: 'Not A Code!' });
    expect(await sample('sheetdiff_jobs_finished_total', `${s},outcome="completed"`)).toBe(2);
    expect(await sample('sheetdiff_job_stage_duration_seconds_count', `${s},outcome="completed"`)).toBe(2);
    expect(await sample('sheetdiff_job_stage_duration_seconds_bucket', `${s},outcome="completed",le="0.025"`)).toBe(1);
    expect(await sample('sheetdiff_job_stage_duration_seconds_sum', `${s},outcome="completed"`)).toBeCloseTo(3.02);
    expect(await sample('sheetdiff_job_failures_total', `${s},code="storage_unavailable"`)).toBe(1);
    expect(await sample('sheetdiff_job_failures_total', `${s},code="max_attempts_exceeded"`)).toBe(1);
    expect(await sample('sheetdiff_job_failures_total', `${s},code="unknown"`)).toBe(1); // unbounded values never become labels
    // Scraping again counts nothing twice.
    expect(await sample('sheetdiff_jobs_finished_total', `${s},outcome="completed"`)).toBe(2);
    expect([...jobMetrics.stageDuration.all()].some((c) => c.labels.stream === stream)).toBe(true);
  });

  it('runs the handler as it is while tracing is off', async () => {
    const observe = jobObserver('obs-wrap', () => 0);
    const out = { to: 'compared' as const, event: { type: 'compared' } };
    const handler = async () => out;
    const ctx = { jobId: 'j', attempt: 1 } as never;
    await expect(observe.wrap(handler)({ v: 1, type: 'T', id: 'i', jobId: 'j', payload: {} }, ctx)).resolves.toBe(out);
  });
});
