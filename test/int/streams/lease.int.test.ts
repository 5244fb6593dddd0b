import { afterEach, describe, expect, it } from 'vitest';
import { ids, useScenario, waitFor, type Scenario } from '../../helpers/streams.js';

let s: Scenario;
afterEach(async () => s?.cleanup());

describe('leases and fencing', () => {
  it('keeps a long job on its worker: the heartbeat stops anyone taking it over', async () => {
    s = await useScenario({ WORK_MS: '3500' });
    const a = await s.worker();
    const b = await s.worker();
    await s.createJobs(['long-1']);
    await s.waitTerminal(['long-1'], 15_000);
    const starts = [...a.events(), ...b.events()].filter((e) => e.ev === 'start');
    expect(starts).toHaveLength(1); // 3.5 s of work under a 1 s lease, never restarted
    await s.assertExactlyOnce(['long-1']);
  });

  it('rejects the late writes of a worker stopped past its lease (SIGSTOP, then SIGCONT)', async () => {
    s = await useScenario({ WORK_MS: '1200', IGNORE_ABORT: '1' });
    const a = await s.worker();
    const jobs = ids('stop', 3);
    await s.createJobs(jobs);
    await waitFor(() => a.events().filter((e) => e.ev === 'start').length === 3, 'A to start all jobs');
    a.stop();
    const b = await s.worker({ WORK_MS: '100' });
    await s.waitTerminal(jobs, 20_000);
    a.cont();
    // A wakes up with its handlers still going: every write it tries must be refused.
    await waitFor(() => a.events().filter((e) => e.ev === 'settled').length === 3, 'A to give up its 3 jobs', 10_000);
    const aResults = a.events().filter((e) => e.ev === 'settled').map((e) => e.result);
    expect(aResults.every((r) => r === 'lost' || r === 'rejected')).toBe(true);
    expect(b.events().filter((e) => e.ev === 'settled' && e.result === 'completed')).toHaveLength(3);
    await s.assertExactlyOnce(jobs);
  });

  it('recovers when another client overwrites the lock: the holder stops and one worker commits', async () => {
    // Long enough that the heartbeat (every lease/3) notices before the first run could commit.
    s = await useScenario({ WORK_MS: '3000', IGNORE_ABORT: '1' });
    const a = await s.worker();
    await s.createJobs(['stolen-1']);
    await a.waitForEvent((e) => e.ev === 'start');
    // No expiry: the foreign value stays until a claim replaces it, so the first run can never commit.
    await s.t.redis.set(s.t.keys.jobLock('stolen-1'), 'someone-else');
    await s.waitTerminal(['stolen-1'], 20_000);
    const settled = a.events().filter((e) => e.ev === 'settled').map((e) => e.result);
    // The first run noticed the loss through its heartbeat and never committed.
    expect(settled[0]).toBe('lost');
    expect(a.events().filter((e) => e.ev === 'start').map((e) => e.attempt)).toEqual([1, 2]);
    await s.assertExactlyOnce(['stolen-1']);
  });
});
