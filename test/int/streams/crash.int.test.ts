import { afterEach, describe, expect, it } from 'vitest';
import { ids, useScenario, waitFor, type Scenario } from '../../helpers/streams.js';

let s: Scenario;
afterEach(async () => s?.cleanup());

describe('worker crashes', () => {
  it('finishes the jobs of a worker SIGKILLed mid-job on another worker, each exactly once', async () => {
    s = await useScenario({ WORK_MS: '1500', WORKER_CONCURRENCY: '4' });
    const a = await s.worker();
    const jobs = ids('kill', 6);
    await s.createJobs(jobs);
    // Wait until A holds 4 jobs mid-run, then kill it without any chance to clean up.
    await waitFor(() => a.events().filter((e) => e.ev === 'start').length >= 4, 'A to start 4 jobs');
    a.kill('SIGKILL');
    await a.exited;
    const b = await s.worker({ WORK_MS: '100' });
    await s.waitTerminal(jobs, 30_000);
    await s.assertExactlyOnce(jobs);
    const startedByA = a.events().filter((e) => e.ev === 'start').map((e) => e.jobId);
    for (const id of startedByA) {
      // A's attempt counted: B ran it as attempt 2, with a newer fencing token.
      const run = b.events().find((e) => e.ev === 'start' && e.jobId === id);
      expect(run?.attempt).toBe(2);
    }
    await s.waitNoPending();
  });

  it('dead-letters a poison job that kills its worker every time, without a crash loop', async () => {
    s = await useScenario({ JOB_MAX_ATTEMPTS: '3', WORK_MS: '50' });
    const good = ids('good', 4);
    await s.createJobs(['poison-1', ...good]);
    // A supervisor: restart the worker whenever it dies, until every job is finished.
    let restarts = 0;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const w = await s.worker({ WORKER_CONCURRENCY: '1' });
      const outcome = await Promise.race([w.exited.then(() => 'died' as const), s.waitTerminal(['poison-1', ...good], 60_000).then(() => 'done' as const)]);
      if (outcome === 'done') break;
      restarts++;
      if (Date.now() > deadline || restarts > 10) throw new Error(`crash loop: ${restarts} restarts`);
    }
    expect(restarts).toBe(3); // one death per allowed delivery, then the entry is dead-lettered
    const job = await s.store.get('poison-1');
    expect(job).toMatchObject({ status: 'failed', error: { code: 'max_attempts_exceeded' } });
    const dead = await s.t.redis.xrange(s.t.keys.deadLetter(), '-', '+');
    expect(dead.map(([, f]) => f[f.indexOf('job') + 1])).toEqual(['poison-1']);
    await s.assertExactlyOnce(good);
    await s.assertExactlyOnce(['poison-1'], 'failed');
  });

  it('fails a job terminally on a business error and retries a transient one', async () => {
    s = await useScenario();
    await s.worker();
    await s.createJobs(['fail-1', 'flaky-1']);
    await s.waitTerminal(['fail-1', 'flaky-1']);
    expect(await s.store.get('fail-1')).toMatchObject({ status: 'failed', error: { code: 'malformed_file' } });
    const flaky = await s.store.events('flaky-1');
    expect(flaky.map((e) => e.type)).toEqual(['created', 'compare_started', 'retry_scheduled', 'compare_started', 'progress', 'done']);
    await s.assertExactlyOnce(['fail-1'], 'failed');
    await s.assertExactlyOnce(['flaky-1']);
  });
});
