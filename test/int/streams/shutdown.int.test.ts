import { afterEach, describe, expect, it } from 'vitest';
import { ids, useScenario, waitFor, type Scenario } from '../../helpers/streams.js';

let s: Scenario;
afterEach(async () => s?.cleanup());

describe('graceful shutdown (SIGTERM)', () => {
  it('finishes in-flight jobs that fit in the grace period, then exits', async () => {
    s = await useScenario({ WORK_MS: '400', SHUTDOWN_GRACE_MS: '5000' });
    const a = await s.worker();
    const jobs = ids('fit', 4);
    await s.createJobs(jobs);
    await waitFor(() => a.events().filter((e) => e.ev === 'start').length === 4, 'A to start 4 jobs');
    a.kill('SIGTERM');
    expect((await a.exited).code).toBe(0);
    const closed = a.events().find((e) => e.ev === 'closed') as { stats: { completed: number; released: number } };
    expect(closed.stats).toMatchObject({ completed: 4, released: 0 });
    await s.assertExactlyOnce(jobs);
  });

  it('hands back jobs that outlast the grace period so they restart at once, not after the lease', async () => {
    // A long lease: if handed-back jobs waited for it, they would not finish in the bound below.
    s = await useScenario({ WORK_MS: '60000', SHUTDOWN_GRACE_MS: '300', JOB_LEASE_MS: '30000', RECLAIM_INTERVAL_MS: '30000' });
    const a = await s.worker();
    const jobs = ids('long', 4);
    await s.createJobs(jobs);
    await waitFor(() => a.events().filter((e) => e.ev === 'start').length === 4, 'A to start 4 jobs');
    a.kill('SIGTERM');
    expect((await a.exited).code).toBe(0);
    const closed = a.events().find((e) => e.ev === 'closed') as { stats: { released: number } };
    expect(closed.stats.released).toBe(4);
    for (const id of jobs) {
      const job = await s.store.get(id);
      expect(job).toMatchObject({ status: 'queued', attempts: 0 }); // handed back, attempt not counted
      expect((await s.store.events(id)).at(-1)).toMatchObject({ type: 'requeued', status: 'queued' });
    }
    const started = Date.now();
    const b = await s.worker({ WORK_MS: '50' });
    await s.waitTerminal(jobs, 10_000);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(b.events().filter((e) => e.ev === 'start').every((e) => e.attempt === 1)).toBe(true);
    await s.assertExactlyOnce(jobs);
    await s.waitNoPending();
  });

  it('hands back entries it had read ahead (short jobs) so another worker gets them at once', async () => {
    s = await useScenario({ WORK_MS: '5', WORKER_CONCURRENCY: '4', JOB_LEASE_MS: '30000', RECLAIM_INTERVAL_MS: '30000' });
    const jobs = ids('ahead', 300);
    await s.createJobs(jobs);
    const a = await s.worker();
    await waitFor(() => a.events().filter((e) => e.ev === 'settled').length >= 60, 'A to finish some jobs');
    a.kill('SIGTERM');
    expect((await a.exited).code).toBe(0);
    const closedLog = a.events().find((e) => e.ev === 'log' && e.msg === 'consumer closed') as { requeued: number };
    expect(closedLog.requeued).toBeGreaterThan(0);
    const started = Date.now();
    await s.worker();
    await s.waitTerminal(jobs, 20_000);
    expect(Date.now() - started).toBeLessThan(20_000); // nothing waited for the 30 s lease
    await s.assertExactlyOnce(jobs);
    await s.waitNoPending(5_000);
  });
});
