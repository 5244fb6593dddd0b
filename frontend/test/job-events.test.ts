import { describe, expect, it } from 'vitest';
import type { JobEvent } from '../../src/contracts/index.js';
import { applyJobEvent } from '../src/lib/job-events.js';
import { jobView } from './fixtures.js';

const progress = (p: number, status: JobEvent['status']): JobEvent => ({ id: `${p}-0`, type: 'progress', at: '2026-01-02T03:04:06.000Z', status, data: { progress: p } });

describe('applyJobEvent', () => {
  it('moves the bar of the stage that is running without reading the job again', () => {
    const job = jobView({ status: 'comparing', progress: 10, payment: undefined });
    expect(applyJobEvent(job, progress(40, 'comparing'))).toEqual({ job: { ...job, progress: 40 }, reread: false });
  });

  it('never takes a job back to an earlier stage when the history is replayed', () => {
    const job = jobView({ status: 'awaiting_payment' });
    const r = applyJobEvent(job, progress(60, 'comparing'));
    expect(r.job).toBe(job);
    expect(r.job?.status).toBe('awaiting_payment');
    expect(r.reread).toBe(true);
  });

  it('reads the job again for every other event, and for progress before the job is loaded', () => {
    const job = jobView();
    expect(applyJobEvent(job, { id: '1-0', type: 'paid', at: '2026-01-02T03:04:06.000Z', status: 'paid' })).toEqual({ job, reread: true });
    expect(applyJobEvent(null, progress(5, 'comparing'))).toEqual({ job: null, reread: true });
  });
});
