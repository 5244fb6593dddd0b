import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JOB_RECORD_FIELDS } from '../../src/jobs/hash.js';
import { createJobStore, enqueueJob } from '../../src/jobs/store.js';
import type { JobStore } from '../../src/jobs/types.js';
import {
  claimScript,
  finishScript,
  heartbeatScript,
  jobKeys,
  progressScript,
  promoteScript,
  requeueScript,
  restoreScript,
  streamKeys,
  trimScript,
  type ClaimItem,
  type FinishItem,
} from '../../src/redis/scripts.js';
import { ensureGroups } from '../../src/streams/groups.js';
import { newJob } from '../helpers/jobs.js';
import { useTestRedis, type TestRedis } from '../helpers/redis.js';

let t: TestRedis;
let store: JobStore;
const now = 1_800_000_000_000;
const clock = () => now;

beforeEach(async () => {
  t = await useTestRedis();
  store = createJobStore({ redis: t.redis, keys: t.keys, clock, tombstoneGraceMs: 60_000 });
});
afterEach(() => t.cleanup());

const sk = () => streamKeys(t.keys, 'compare');
const dead = () => t.keys.deadLetter();
const claimOpts = (consumer = 'c1') => ({ consumer, now, leaseMs: 5_000, maxAttempts: 3, graceMs: 60_000, fields: JOB_RECORD_FIELDS });
const item = (jobId: string, entryId: string, record = true): ClaimItem => ({
  keys: jobKeys(t.keys, jobId), entryId, jobId, expect: ['queued'], running: 'comparing', startEvent: 'compare_started', record,
});
const finishKeys = () => ({ ...sk(), dead: dead(), delayed: t.keys.delayed('compare') });
const done = (jobId: string, entryId: string, token: string, over: Partial<FinishItem> = {}): FinishItem => ({
  keys: jobKeys(t.keys, jobId), op: 'complete', entryId, jobId, token, from: ['comparing'], to: 'compared',
  patch: ['price', '7'], eventType: 'compared', eventData: '{"rows":1}', data: '', arg: '', ...over,
});
const read = async (consumer = 'c1', count = 10) => {
  const r = (await t.redis.xreadgroup('GROUP', 'compare', consumer, 'COUNT', count, 'STREAMS', sk().stream, '>')) as
    | [string, [string, string[]][]][]
    | null;
  return r?.[0]?.[1] ?? [];
};
const pending = async () => Number(((await t.redis.xpending(sk().stream, 'compare')) as [number])[0]);
const eventTypes = async (id: string) => (await store.events(id)).map((e) => e.type);

/** Reads and claims an already created job. */
async function running2(id: string): Promise<void> {
  const [entry] = await read();
  const [r] = await claimScript(t.redis, { ...sk(), dead: dead() }, claimOpts(), [item(id, entry![0])]);
  if (r?.code !== 'claimed') throw new Error(`not claimed: ${r?.code}`);
}

/** Creates, enqueues, reads and claims one job; returns its entry id and token. */
async function running(id: string): Promise<{ entryId: string; token: string }> {
  await store.create(newJob(id));
  const [entry] = await read();
  const [r] = await claimScript(t.redis, { ...sk(), dead: dead() }, claimOpts(), [item(id, entry![0])]);
  if (r?.code !== 'claimed') throw new Error(`not claimed: ${r?.code}`);
  return { entryId: entry![0], token: r.token };
}

describe('create and enqueue', () => {
  it('writes the job, its created event and indexes, then enqueues it once', async () => {
    await ensureGroups(t.redis, t.keys);
    const rec = await store.create(newJob('a'));
    expect(rec.status).toBe('queued');
    expect(await store.get('a')).toEqual(rec);
    expect(await eventTypes('a')).toEqual(['created']);
    expect(await t.redis.zscore(t.keys.outbox(), 'a')).toBeNull();
    expect(await t.redis.zscore(t.keys.expiry(), 'a')).toBe(String(now + 3_600_000));
    expect(await t.redis.zrange(t.keys.accountJobs('acct-test'), 0, -1)).toEqual(['a']);
    const entries = await t.redis.xrange(sk().stream, '-', '+');
    expect(entries).toHaveLength(1);
    expect(await t.redis.hget(sk().entries, entries[0]![0])).toBe('a');
    expect(await enqueueJob(t.redis, t.keys, 'a')).toBeNull();
    expect(await t.redis.xlen(sk().stream)).toBe(1);
  });

  it('is idempotent under a re-sent create', async () => {
    await store.create(newJob('a'));
    await store.create(newJob('a'));
    expect(await eventTypes('a')).toEqual(['created']);
    expect(await t.redis.xlen(sk().stream)).toBe(1);
  });

  it('creates the group at id 0 when a producer writes first, so nothing is skipped', async () => {
    await store.create(newJob('early'));
    const groups = (await t.redis.xinfo('GROUPS', sk().stream)) as unknown[];
    expect(groups).toHaveLength(1);
    await ensureGroups(t.redis, t.keys); // BUSYGROUP is ignored
    const entries = await read();
    expect(entries.map((e) => JSON.parse(e[1][1]!).jobId)).toEqual(['early']);
  });
});

describe('claim', () => {
  it('claims from the expected status with a fresh token and lease, and returns the record', async () => {
    await store.create(newJob('a'));
    const [entry] = await read();
    const [r] = await claimScript(t.redis, { ...sk(), dead: dead() }, claimOpts(), [item('a', entry![0])]);
    expect(r).toMatchObject({ code: 'claimed', token: '1', attempt: 1 });
    expect(await t.redis.get(t.keys.jobLock('a'))).toBe('1');
    expect(await t.redis.pttl(t.keys.jobLock('a'))).toBeGreaterThan(4_000);
    const job = await store.get('a');
    expect(job).toMatchObject({ status: 'comparing', fence: 1, attempts: 1 });
    // The record comes as read before the claim (the consumer applies the claim's own fields).
    expect(r?.code === 'claimed' && r.record.split('\0')[JOB_RECORD_FIELDS.indexOf('id')]).toBe('a');
    expect(await eventTypes('a')).toEqual(['created', 'compare_started']);
  });

  it('returns no record for a route that does not read it, with the same claim otherwise', async () => {
    await store.create(newJob('a'));
    const [entry] = await read();
    const [r] = await claimScript(t.redis, { ...sk(), dead: dead() }, claimOpts(), [item('a', entry![0], false)]);
    expect(r).toEqual({ code: 'claimed', token: '1', attempt: 1, record: '' });
    expect(await store.get('a')).toMatchObject({ status: 'comparing', fence: 1, attempts: 1 });
    expect(await t.redis.get(t.keys.jobLock('a'))).toBe('1');
  });

  it('answers a re-sent claim with the same token and writes nothing twice', async () => {
    const { entryId, token } = await running('a');
    const [again] = await claimScript(t.redis, { ...sk(), dead: dead() }, claimOpts(), [item('a', entryId)]);
    expect(again).toMatchObject({ code: 'claimed', token, attempt: 1 });
    expect((await store.get('a'))?.fence).toBe(1);
    expect(await eventTypes('a')).toEqual(['created', 'compare_started']);
  });

  it('leaves an entry pending while another holder has a live lease', async () => {
    const { entryId } = await running('a');
    const [r] = await claimScript(t.redis, { ...sk(), dead: dead() }, claimOpts('c2'), [item('a', entryId)]);
    expect(r).toEqual({ code: 'busy' });
    expect(await pending()).toBe(1);
  });

  it('takes over a running job once its lease is gone, with a new token', async () => {
    const { entryId } = await running('a');
    await t.redis.del(t.keys.jobLock('a'));
    const [r] = await claimScript(t.redis, { ...sk(), dead: dead() }, claimOpts('c2'), [item('a', entryId)]);
    expect(r).toMatchObject({ code: 'claimed', token: '2', attempt: 2 });
  });

  it('acks a stale delivery (job past the stage or gone) without changing anything', async () => {
    await store.create(newJob('a'));
    const [entry] = await read();
    await store.transition('a', { from: ['queued'], to: 'cancelled', event: { type: 'cancelled' } });
    await t.redis.xadd(sk().stream, '*', 'data', '{}');
    const [e2] = await read();
    const r = await claimScript(t.redis, { ...sk(), dead: dead() }, claimOpts(), [item('a', entry![0]), item('ghost', e2![0])]);
    expect(r).toEqual([{ code: 'stale' }, { code: 'stale' }]);
    expect(await pending()).toBe(0);
    expect((await store.get('a'))?.status).toBe('cancelled');
  });

  it('dead-letters after max deliveries and fails the job with its reason', async () => {
    await store.create(newJob('a'));
    const [entry] = await read();
    await t.redis.hset(t.keys.job('a'), 'attempts', '3');
    const [r] = await claimScript(t.redis, { ...sk(), dead: dead() }, claimOpts(), [item('a', entry![0])]);
    expect(r).toEqual({ code: 'dead' });
    const job = await store.get('a');
    expect(job).toMatchObject({ status: 'failed', error: { code: 'max_attempts_exceeded' } });
    const dl = await t.redis.xrange(dead(), '-', '+');
    expect(dl).toHaveLength(1);
    expect(dl[0]![1]).toEqual(expect.arrayContaining(['job', 'a', 'entry', entry![0]]));
    expect(await pending()).toBe(0);
    expect(await t.redis.pttl(t.keys.job('a'))).toBeGreaterThan(0);
  });

  it('gives each job of a batch its own token and attempt, and dead-letters only the exhausted one', async () => {
    for (const id of ['a', 'b', 'c', 'd']) await store.create(newJob(id));
    const entries = await read();
    // Counters the script converts once per value and call: different values in one batch.
    await t.redis.hset(t.keys.job('b'), 'fence', '7', 'attempts', '1');
    await t.redis.hset(t.keys.job('c'), 'fence', '7', 'attempts', '3');
    await t.redis.hset(t.keys.job('d'), 'fence', '41', 'attempts', '2');
    const items = ['a', 'b', 'c', 'd'].map((id, i) => item(id, entries[i]![0], false));
    const r = await claimScript(t.redis, { ...sk(), dead: dead() }, claimOpts(), items);
    expect(r).toEqual([
      { code: 'claimed', token: '1', attempt: 1, record: '' },
      { code: 'claimed', token: '8', attempt: 2, record: '' },
      { code: 'dead' },
      { code: 'claimed', token: '42', attempt: 3, record: '' },
    ]);
    expect(await store.get('b')).toMatchObject({ status: 'comparing', fence: 8, attempts: 2 });
    expect(await store.get('c')).toMatchObject({ status: 'failed', fence: 8, attempts: 3 });
    expect(await t.redis.get(t.keys.jobLock('d'))).toBe('42');
    const started = async (id: string) => (await store.events(id)).find((e) => e.type === 'compare_started')?.data;
    expect([await started('a'), await started('b'), await started('d')]).toEqual([{ attempt: 1 }, { attempt: 2 }, { attempt: 3 }]);
  });

  it('claims a batch that mixes routes, each entry under its own route', async () => {
    for (const id of ['a', 'b', 'c']) await store.create(newJob(id));
    const entries = await read();
    await t.redis.hset(t.keys.job('b'), 'status', 'compared');
    const payRoute = { expect: ['compared'], running: '', startEvent: 'payment_started', record: false };
    const items = [item('a', entries[0]![0]), { ...item('b', entries[1]![0]), ...payRoute }, item('c', entries[2]![0], false)];
    const r = await claimScript(t.redis, { ...sk(), dead: dead() }, claimOpts(), items);
    expect(r.map((x) => x.code)).toEqual(['claimed', 'claimed', 'claimed']);
    expect(r[0]?.code === 'claimed' && r[0].record.split('\0')[JOB_RECORD_FIELDS.indexOf('id')]).toBe('a');
    expect(r.slice(1).map((x) => x.code === 'claimed' && x.record)).toEqual(['', '']);
    expect((await store.get('a'))?.status).toBe('comparing');
    expect((await store.get('b'))?.status).toBe('compared'); // this route keeps the status while running
    expect(await eventTypes('b')).toEqual(['created', 'payment_started']);
    expect(await eventTypes('c')).toEqual(['created', 'compare_started']);
  });
});

describe('finish', () => {
  it('records a batch that mixes endings, with and without patch and data, each job its own', async () => {
    const a = await running('a');
    const b = await running('b');
    const c = await running('c');
    const r = await finishScript(t.redis, finishKeys(), { now, graceMs: 60_000 }, [
      done('a', a.entryId, a.token, { patch: [] }),
      done('b', b.entryId, b.token, { op: 'retry', to: 'queued', patch: [], eventType: 'retry_scheduled', data: '{"b":1}', arg: String(now + 500) }),
      done('c', c.entryId, c.token),
    ]);
    expect(r).toEqual(['applied', 'applied', 'applied']);
    expect(await t.redis.hmget(t.keys.job('a'), 'status', 'price')).toEqual(['compared', null]);
    expect(await t.redis.hmget(t.keys.job('b'), 'status', 'q:compare')).toEqual(['queued', '{"b":1}']);
    expect(await t.redis.hmget(t.keys.job('c'), 'status', 'price')).toEqual(['compared', '7']);
    expect(await t.redis.zscore(t.keys.delayed('compare'), 'b')).toBe(String(now + 500));
    expect(await eventTypes('b')).toEqual(['created', 'compare_started', 'retry_scheduled']);
    expect(await pending()).toBe(0);
  });

  it('completes with patch, event, next stage and ack, and ends the lease (fence moved past the token, lock deleted)', async () => {
    const { entryId, token } = await running('a');
    const next = streamKeys(t.keys, 'payment');
    const r = await finishScript(t.redis, finishKeys(), { now, graceMs: 60_000 }, [done('a', entryId, token, { next, data: '{"v":1,"next":true}' })]);
    expect(r).toEqual(['applied']);
    expect(await store.get('a')).toMatchObject({ status: 'compared', price: 7, attempts: 0, fence: 2 });
    // The applied outcome ends the lease.
    expect(await t.redis.exists(t.keys.jobLock('a'))).toBe(0);
    expect(await pending()).toBe(0);
    expect(await t.redis.hlen(sk().entries)).toBe(0);
    const nextEntries = await t.redis.xrange(next.stream, '-', '+');
    expect(nextEntries.map((e) => e[1][1])).toEqual(['{"v":1,"next":true}']);
    expect(await t.redis.hget(next.entries, nextEntries[0]![0])).toBe('a');
    expect(await t.redis.xinfo('GROUPS', next.stream)).toHaveLength(1);
    expect(await t.redis.pttl(t.keys.job('a'))).toBe(-1); // not terminal: no expiry yet
  });

  it('moves each job of a batch past its own token, with or without a patch', async () => {
    const a = await running('a');
    const b = await running('b');
    await t.redis.hset(t.keys.job('b'), 'fence', '12');
    const r = await finishScript(t.redis, finishKeys(), { now: now + 5, graceMs: 60_000 }, [
      done('a', a.entryId, a.token, { patch: [] }),
      done('b', b.entryId, '12'),
    ]);
    expect(r).toEqual(['applied', 'applied']);
    const fields = ['status', 'fence', 'done', 'attempts', 'updatedAt', 'price'];
    expect(await t.redis.hmget(t.keys.job('a'), ...fields)).toEqual(['compared', '2', a.token, '0', String(now + 5), null]);
    expect(await t.redis.hmget(t.keys.job('b'), ...fields)).toEqual(['compared', '13', '12', '0', String(now + 5), '7']);
    expect(await eventTypes('a')).toEqual(['created', 'compare_started', 'compared']);
    expect(await pending()).toBe(0);
  });

  it('answers a re-sent complete with applied and writes nothing twice', async () => {
    const { entryId, token } = await running('a');
    const next = streamKeys(t.keys, 'payment');
    const it = done('a', entryId, token, { next, data: '{}' });
    await finishScript(t.redis, finishKeys(), { now, graceMs: 60_000 }, [it]);
    expect(await finishScript(t.redis, finishKeys(), { now, graceMs: 60_000 }, [it])).toEqual(['applied']);
    expect(await eventTypes('a')).toEqual(['created', 'compare_started', 'compared']);
    expect(await t.redis.xlen(next.stream)).toBe(1);
  });

  it('rejects a stale token and leaves the entry to whoever holds the job now', async () => {
    const { entryId, token } = await running('a');
    expect(await finishScript(t.redis, finishKeys(), { now, graceMs: 60_000 }, [done('a', entryId, String(Number(token) - 1))])).toEqual(['stale']);
    expect((await store.get('a'))?.status).toBe('comparing');
    expect(await pending()).toBe(1);
    // The current holder's lease stays.
    expect(await t.redis.get(t.keys.jobLock('a'))).toBe(token);
  });

  it('lets the fence, not the lock, decide: an overwritten lock with the fence unmoved still commits once', async () => {
    const { entryId, token } = await running('a');
    await t.redis.set(t.keys.jobLock('a'), 'intruder');
    // The heartbeat sees the lease is gone (the handler is aborted)...
    const hb = { keys: jobKeys(t.keys, 'a'), entryId, jobId: 'a', token };
    expect(await heartbeatScript(t.redis, sk(), { consumer: 'c1', leaseMs: 5_000 }, [hb])).toEqual(['lost']);
    // ...but nobody else holds a valid token, so a commit that was already on its way is safe.
    expect(await finishScript(t.redis, finishKeys(), { now, graceMs: 60_000 }, [done('a', entryId, token)])).toEqual(['applied']);
    expect(await finishScript(t.redis, finishKeys(), { now, graceMs: 60_000 }, [done('a', entryId, token)])).toEqual(['applied']);
    expect(await store.get('a')).toMatchObject({ status: 'compared', fence: Number(token) + 1 });
    // The foreign value went with the lease it stood in for.
    expect(await t.redis.exists(t.keys.jobLock('a'))).toBe(0);
  });

  it('sets the expiry (retention + tombstone grace) when the job reaches a terminal state', async () => {
    const { entryId, token } = await running('a');
    await finishScript(t.redis, finishKeys(), { now, graceMs: 60_000 }, [done('a', entryId, token, { to: 'ready', arg: '1' })]);
    const at = Number(await t.redis.pexpiretime(t.keys.job('a')));
    expect(at).toBe(now + 3_600_000 + 60_000);
    expect(Number(await t.redis.pexpiretime(t.keys.jobEvents('a')))).toBe(at);
  });

  it('schedules a retry: back to the input status, delayed, acked; promote re-adds it once', async () => {
    const { entryId, token } = await running('a');
    const r = await finishScript(t.redis, finishKeys(), { now, graceMs: 60_000 }, [
      done('a', entryId, token, { op: 'retry', to: 'queued', patch: [], eventType: 'retry_scheduled', data: '{"v":1,"x":1}', arg: String(now + 500) }),
    ]);
    expect(r).toEqual(['applied']);
    expect((await store.get('a'))?.status).toBe('queued');
    expect(await t.redis.zscore(t.keys.delayed('compare'), 'a')).toBe(String(now + 500));
    expect(await pending()).toBe(0);
    expect(await t.redis.exists(t.keys.jobLock('a'))).toBe(0); // the run's lease ends with it
    const pk = { ...sk(), delayed: t.keys.delayed('compare') };
    expect(await promoteScript(t.redis, pk, { now, jobs: [{ jobId: 'a', job: t.keys.job('a') }] })).toBe(0); // not due yet
    const due = { now: now + 500, jobs: [{ jobId: 'a', job: t.keys.job('a') }] };
    expect(await promoteScript(t.redis, pk, due)).toBe(1);
    expect(await promoteScript(t.redis, pk, due)).toBe(0);
    const entries = await read();
    expect(entries.map((e) => e[1][1])).toEqual(['{"v":1,"x":1}']);
  });

  it('releases a job for an immediate restart without counting the attempt, and fences the old token', async () => {
    const { entryId, token } = await running('a');
    const r = await finishScript(t.redis, finishKeys(), { now, graceMs: 60_000 }, [
      done('a', entryId, token, { op: 'release', to: 'queued', patch: [], eventType: 'requeued', data: '{"again":1}' }),
    ]);
    expect(r).toEqual(['applied']);
    expect(await store.get('a')).toMatchObject({ status: 'queued', attempts: 0 });
    expect(await t.redis.exists(t.keys.jobLock('a'))).toBe(0);
    expect((await read()).map((e) => e[1][1])).toEqual(['{"again":1}']);
    expect(await progressScript(t.redis, jobKeys(t.keys, 'a'), { token, progress: 5, now, emit: false, data: '{}' })).toBe(false);
  });

  it('fails terminally and dead-letters on request', async () => {
    const { entryId, token } = await running('a');
    await finishScript(t.redis, finishKeys(), { now, graceMs: 60_000 }, [
      done('a', entryId, token, { op: 'fail', to: 'failed', patch: ['error', '{"code":"x","message":"y"}'], eventType: 'failed', eventData: '{"code":"x"}', data: '{"orig":1}', arg: '1' }),
    ]);
    expect(await store.get('a')).toMatchObject({ status: 'failed', error: { code: 'x', message: 'y' } });
    const dl = await t.redis.xrange(dead(), '-', '+');
    expect(dl[0]![1]).toEqual(expect.arrayContaining(['data', '{"orig":1}']));
    expect(await t.redis.pttl(t.keys.job('a'))).toBeGreaterThan(0);
  });
});

describe('heartbeat and progress', () => {
  it('extends a live lease and reports a lost one', async () => {
    const { entryId, token } = await running('a');
    await t.redis.pexpire(t.keys.jobLock('a'), 100);
    const hb = { keys: jobKeys(t.keys, 'a'), entryId, jobId: 'a', token };
    expect(await heartbeatScript(t.redis, sk(), { consumer: 'c1', leaseMs: 5_000 }, [hb])).toEqual(['ok']);
    expect(await t.redis.pttl(t.keys.jobLock('a'))).toBeGreaterThan(4_000);
    await t.redis.hincrby(t.keys.job('a'), 'fence', 1);
    expect(await heartbeatScript(t.redis, sk(), { consumer: 'c1', leaseMs: 5_000 }, [hb])).toEqual(['lost']);
  });

  it('re-adds an entry deleted while its job runs, so the job cannot be lost', async () => {
    const { entryId, token } = await running('a');
    await t.redis.xdel(sk().stream, entryId);
    const [r] = await heartbeatScript(t.redis, sk(), { consumer: 'c1', leaseMs: 5_000 }, [{ keys: jobKeys(t.keys, 'a'), entryId, jobId: 'a', token }]);
    expect(r).toMatch(/^\d+-\d+$/);
    expect(await t.redis.hget(sk().entries, r!)).toBe('a');
    expect(await t.redis.hexists(sk().entries, entryId)).toBe(0);
  });

  it('writes progress only with the current token', async () => {
    const { token } = await running('a');
    const k = jobKeys(t.keys, 'a');
    expect(await progressScript(t.redis, k, { token, progress: 40, now, emit: true, data: '{"progress":40}' })).toBe(true);
    expect((await store.get('a'))?.progress).toBe(40);
    expect(await progressScript(t.redis, k, { token: '99', progress: 90, now, emit: true, data: '{}' })).toBe(false);
    expect((await store.get('a'))?.progress).toBe(40);
    expect(await eventTypes('a')).toEqual(['created', 'compare_started', 'progress']);
  });
});

describe('transition', () => {
  it('applies only from an expected status and bumps the fence so a running worker is rejected', async () => {
    const { entryId, token } = await running('a');
    expect(await store.transition('a', { from: ['queued'], to: 'cancelled', event: { type: 'cancelled' } })).toBe(false);
    expect(await store.transition('a', { from: ['queued', 'comparing'], to: 'cancelled', event: { type: 'cancelled' } })).toBe(true);
    expect(await store.get('a')).toMatchObject({ status: 'cancelled', fence: 2 });
    expect(await t.redis.exists(t.keys.jobLock('a'))).toBe(0);
    const r = await finishScript(t.redis, finishKeys(), { now, graceMs: 60_000 }, [done('a', entryId, token)]);
    expect(r).toEqual(['stale']);
    expect((await store.get('a'))?.status).toBe('cancelled');
    expect(await pending()).toBe(0); // the job left the stage: its entry is acked
    expect(await t.redis.pttl(t.keys.job('a'))).toBeGreaterThan(0);
  });

  it('adds the next stage atomically and can publish a message without a state change', async () => {
    await store.create(newJob('a'));
    await store.transition('a', { from: ['queued'], to: 'paid', patch: { paid: true }, event: { type: 'paid' }, next: { kind: 'export', type: 'ExportRequested' } });
    expect(await store.get('a')).toMatchObject({ status: 'paid', paid: true });
    const [e] = await t.redis.xrange(t.keys.stream('export'), '-', '+');
    expect(JSON.parse(e![1][1]!)).toMatchObject({ type: 'ExportRequested', jobId: 'a' });
    await store.publish('a', { kind: 'payment', type: 'PaymentNotified', payload: { orderId: 'o' } });
    expect(await t.redis.xlen(t.keys.stream('payment'))).toBe(1);
    await expect(store.publish('nope', { kind: 'payment', type: 'X' })).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('live announcements', () => {
  it('announces claim and finish events on the job channel only while the job is watched', async () => {
    const sub = t.redis.duplicate();
    const messages: string[] = [];
    sub.on('message', (_channel: string, message: string) => messages.push(message));
    await sub.subscribe(t.keys.jobChannel('a'));
    try {
      const { entryId, token } = await running('a'); // created is always announced; the unwatched start is not
      await store.watch('a', 60_000);
      expect(Number(await t.redis.hget(t.keys.job('a'), 'w'))).toBeGreaterThan(Date.now());
      await finishScript(t.redis, finishKeys(), { now, graceMs: 60_000 }, [done('a', entryId, token)]);
      await expect.poll(() => messages.length).toBe(2);
      const events = await store.events('a');
      expect(events.map((e) => e.type)).toEqual(['created', 'compare_started', 'compared']);
      expect(messages).toEqual([events[0]!.id, events[2]!.id]);
    } finally {
      sub.disconnect();
    }
  });

  it('announces the start of a watched job on the channel of the job its key names', async () => {
    const sub = t.redis.duplicate();
    const messages: [string, string][] = [];
    sub.on('message', (channel: string, message: string) => messages.push([channel, message]));
    await sub.subscribe(t.keys.jobChannel('job_01HX'), t.keys.jobChannel('other'));
    try {
      await store.create(newJob('job_01HX'));
      await store.watch('job_01HX', 60_000);
      await running2('job_01HX');
      await expect.poll(() => messages.length).toBe(2);
      const events = await store.events('job_01HX');
      expect(events.map((e) => e.type)).toEqual(['created', 'compare_started']);
      expect(messages).toEqual(events.map((e) => [t.keys.jobChannel('job_01HX'), e.id]));
    } finally {
      sub.disconnect();
    }
  });

  it('stops announcing once the mark lapses, and never creates a missing job', async () => {
    await store.create(newJob('a'));
    await store.watch('a', 60_000);
    await t.redis.hset(t.keys.job('a'), 'w', String(Date.now() - 1)); // lapsed
    const sub = t.redis.duplicate();
    const messages: string[] = [];
    sub.on('message', (_channel: string, message: string) => messages.push(message));
    await sub.subscribe(t.keys.jobChannel('a'));
    try {
      await running2('a');
      await store.transition('a', { from: ['comparing'], to: 'cancelled', event: { type: 'cancelled' } }); // always announced
      await expect.poll(() => messages.length).toBe(1);
      expect(messages).toEqual([(await store.events('a')).at(-1)!.id]);
    } finally {
      sub.disconnect();
    }
    await store.watch('ghost', 60_000);
    expect(await t.redis.exists(t.keys.job('ghost'))).toBe(0);
  });
});

describe('restore and trim', () => {
  it('rebuilds a deleted pending entry once, and skips finished jobs', async () => {
    await store.create(newJob('a'));
    await store.create(newJob('b'));
    const [ea, eb] = await read();
    await store.transition('b', { from: ['queued'], to: 'cancelled', event: { type: 'cancelled' } });
    await t.redis.xdel(sk().stream, ea![0], eb![0]);
    const entries = [
      { entryId: ea![0], jobId: 'a', job: t.keys.job('a') },
      { entryId: eb![0], jobId: 'b', job: t.keys.job('b') },
    ];
    const terminal = ['ready', 'failed', 'cancelled', 'expired'];
    expect(await restoreScript(t.redis, sk(), { terminal, entries })).toBe(1);
    expect(await restoreScript(t.redis, sk(), { terminal, entries })).toBe(0);
    expect((await read()).map((e) => JSON.parse(e[1][1]!).jobId)).toEqual(['a']);
  });

  it('hands back read-but-unclaimed entries once, leaving acked ones alone', async () => {
    await store.create(newJob('a'));
    await store.create(newJob('b'));
    const [ea, eb] = await read();
    await t.redis.xack(sk().stream, 'compare', eb![0]); // b was settled elsewhere meanwhile
    const list = [
      { entryId: ea![0], jobId: 'a', data: ea![1][1]! },
      { entryId: eb![0], jobId: 'b', data: eb![1][1]! },
    ];
    expect(await requeueScript(t.redis, sk(), list)).toBe(1);
    expect(await requeueScript(t.redis, sk(), list)).toBe(0); // a re-send adds nothing
    expect(await pending()).toBe(0);
    const again = await read();
    expect(again.map((e) => JSON.parse(e[1][1]!).jobId)).toEqual(['a']);
    expect(await t.redis.hget(sk().entries, again[0]![0])).toBe('a');
  });

  it('trims acked entries but keeps pending and undelivered ones', async () => {
    await ensureGroups(t.redis, t.keys);
    for (const id of ['a', 'b', 'c', 'd', 'e']) await store.create(newJob(id));
    const got = await read('c1', 3); // a, b, c delivered
    await t.redis.xack(sk().stream, 'compare', got[0]![0], got[2]![0]); // a and c acked, b pending
    const r = await trimScript(t.redis, sk(), { consumerIdleMs: 3_600_000 });
    expect(r.trimmed).toBe(1); // only a (c sits behind pending b)
    const left = (await t.redis.xrange(sk().stream, '-', '+')).map((e) => JSON.parse(e[1][1]!).jobId);
    expect(left).toEqual(['b', 'c', 'd', 'e']);
    await t.redis.xack(sk().stream, 'compare', got[1]![0]);
    await trimScript(t.redis, sk(), { consumerIdleMs: 3_600_000 });
    expect((await t.redis.xrange(sk().stream, '-', '+')).map((e) => JSON.parse(e[1][1]!).jobId)).toEqual(['d', 'e']);
  });

  it('leaves a stream without groups alone and forgets idle consumers with nothing pending', async () => {
    await store.create(newJob('a'));
    await t.redis.xgroup('DESTROY', sk().stream, 'compare');
    expect(await trimScript(t.redis, sk(), { consumerIdleMs: 0 })).toEqual({ trimmed: 0, consumersDeleted: 0 });
    await ensureGroups(t.redis, t.keys);
    const [e] = await read('idle-one');
    await t.redis.xack(sk().stream, 'compare', e![0]);
    await new Promise((r) => setTimeout(r, 5));
    expect((await trimScript(t.redis, sk(), { consumerIdleMs: 1 })).consumersDeleted).toBe(1);
  });
});
