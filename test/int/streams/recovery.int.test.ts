import { afterEach, describe, expect, it } from 'vitest';
import { ids, useScenario, waitFor, type Scenario } from '../../helpers/streams.js';

let s: Scenario;
afterEach(async () => s?.cleanup());

const startsOf = (events: Record<string, unknown>[]) => events.filter((e) => e.ev === 'start').map((e) => String(e.jobId));

describe('lost entries and concurrent recovery', () => {
  it('does not lose entries trimmed or deleted while pending', async () => {
    s = await useScenario({ WORK_MS: '2000' });
    const a = await s.worker();
    const jobs = ids('del', 4);
    await s.createJobs(jobs);
    await waitFor(() => startsOf(a.events()).length === 4, 'A to start 4 jobs');
    a.kill('SIGKILL');
    await a.exited;
    const stream = s.t.keys.stream('compare');
    const [first, ...rest] = await s.t.redis.xrange(stream, '-', '+');
    await s.t.redis.xdel(stream, ...rest.map((e) => e[0])); // deleted
    await s.t.redis.xtrim(stream, 'MAXLEN', 0); // and trimmed by something that ignores the PEL
    expect(first).toBeDefined();
    expect(await s.t.redis.xlen(stream)).toBe(0);
    await s.worker({ WORK_MS: '50' });
    await s.waitTerminal(jobs, 20_000);
    await s.assertExactlyOnce(jobs);
    await s.waitNoPending();
  });

  it('does not lose an entry deleted while its job runs on a live worker', async () => {
    s = await useScenario({ WORK_MS: '2500' });
    const a = await s.worker();
    await s.createJobs(['live-1']);
    await a.waitForEvent((e) => e.ev === 'start');
    const stream = s.t.keys.stream('compare');
    const entries = await s.t.redis.xrange(stream, '-', '+');
    await s.t.redis.xdel(stream, ...entries.map((e) => e[0]));
    // The heartbeat notices and re-adds the entry; then the worker dies before finishing.
    await waitFor(async () => (await s.t.redis.xlen(stream)) === 1, 'the replacement entry', 5_000);
    a.kill('SIGKILL');
    await s.worker({ WORK_MS: '50' });
    await s.waitTerminal(['live-1'], 20_000);
    await s.assertExactlyOnce(['live-1']);
  });

  it('lets several reclaimers race over the same dead worker without a double claim', async () => {
    s = await useScenario({ WORK_MS: '2000', WORKER_CONCURRENCY: '12', RECLAIM_INTERVAL_MS: '100' });
    const a = await s.worker();
    const jobs = ids('race', 12);
    await s.createJobs(jobs);
    await waitFor(() => startsOf(a.events()).length === 12, 'A to start 12 jobs');
    a.kill('SIGKILL');
    await a.exited;
    const rescuers = await Promise.all([1, 2, 3].map(() => s.worker({ WORK_MS: '300', WORKER_CONCURRENCY: '12' })));
    await s.waitTerminal(jobs, 20_000);
    const rescued = rescuers.flatMap((w) => startsOf(w.events()));
    // Every job was run exactly once more, by exactly one of the three.
    expect([...rescued].sort()).toEqual([...jobs].sort());
    expect(rescuers.filter((w) => startsOf(w.events()).length > 0).length).toBeGreaterThanOrEqual(1);
    await s.assertExactlyOnce(jobs);
  });

  it('skips nothing that producers wrote before any consumer group existed', async () => {
    s = await useScenario();
    const early = ids('early', 3);
    await s.createJobs(early); // no consumer has ever run: the enqueue script creates the group at 0
    await s.t.redis.xgroup('DESTROY', s.t.keys.stream('compare'), 'compare'); // a stream without a group
    const late = ids('late', 3);
    await s.createJobs(late);
    expect(await s.t.redis.xinfo('GROUPS', s.t.keys.stream('compare'))).toHaveLength(0);
    await s.worker(); // ensureGroups creates the group at id 0
    await s.waitTerminal([...early, ...late], 15_000);
    await s.assertExactlyOnce([...early, ...late]);
  });

  it('enqueues a job whose creator died between writing and enqueueing (outbox sweeper)', async () => {
    s = await useScenario();
    const { createScript, jobKeys } = await import('../../../src/redis/scripts.js');
    const { encodeJobRecord, newJobRecord } = await import('../../../src/jobs/hash.js');
    const { newJob } = await import('../../helpers/jobs.js');
    const { makeEnvelope } = await import('../../../src/jobs/envelope.js');
    // Half a create: the job and its outbox mark are written, the enqueue never happens.
    const now = Date.now() - 10_000;
    const rec = newJobRecord(newJob('orphan-1'), now);
    await createScript(s.t.redis, { ...jobKeys(s.t.keys, 'orphan-1'), accountJobs: s.t.keys.accountJobs('acct-test'), outbox: s.t.keys.outbox(), expiry: s.t.keys.expiry() }, {
      jobId: 'orphan-1', now, expiresAt: rec.expiresAt, kind: 'compare',
      envelope: JSON.stringify(makeEnvelope({ type: 'CompareRequested', jobId: 'orphan-1' })), eventData: '{}', fields: encodeJobRecord(rec),
    });
    expect(await s.t.redis.exists(s.t.keys.stream('compare'))).toBe(0);
    await s.worker({ RECLAIM_INTERVAL_MS: '100' });
    await s.waitTerminal(['orphan-1'], 15_000);
    expect(await s.t.redis.zcard(s.t.keys.outbox())).toBe(0);
    await s.assertExactlyOnce(['orphan-1']);
  });

  it('does not strand read-ahead entries behind a job that turns out long', async () => {
    // The lease is long, so the reclaimer cannot be what rescues the short jobs before the slow one ends.
    s = await useScenario({ WORK_MS: '5', SLOW_MS: '12000', WORKER_CONCURRENCY: '1', JOB_LEASE_MS: '15000', RECLAIM_INTERVAL_MS: '100' });
    const a = await s.worker(); // alone, A learns that jobs are short and starts reading ahead
    await s.createJobs(ids('warm', 30));
    await s.waitTerminal(ids('warm', 30));
    const after = ids('after', 30);
    await s.createJobs(['slow-1', ...after]);
    await a.waitForEvent((e) => e.ev === 'start' && e.jobId === 'slow-1', 10_000);
    const b = await s.worker();
    await s.waitTerminal(['slow-1', ...after], 30_000);
    // What A had read ahead went back to the stream and B ran it while A was busy with slow-1.
    const doneAt = async (id: string) => (await s.store.get(id))!.updatedAt;
    const slowDone = await doneAt('slow-1');
    for (const id of after) expect({ id, beforeSlow: (await doneAt(id)) < slowDone }).toEqual({ id, beforeSlow: true });
    expect(b.events().filter((e) => e.ev === 'start').length).toBeGreaterThan(0);
    await s.assertExactlyOnce(['slow-1', ...after]);
  });
});
