/**
 * The payment scripts on real Redis: order-transition.lua (CAS of an order's status with its
 * index moves) and job-note.lua (an event without a state change, once per marker).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createJobStore } from '../../../src/jobs/store.js';
import type { JobStore } from '../../../src/jobs/types.js';
import { jobNoteScript, orderTransitionScript } from '../../../src/redis/scripts.js';
import { newJob } from '../../helpers/jobs.js';
import { useTestRedis, type TestRedis } from '../../helpers/redis.js';

let t: TestRedis;
let store: JobStore;

beforeEach(async () => {
  t = await useTestRedis();
  store = createJobStore({ redis: t.redis, keys: t.keys });
});
afterEach(() => t.cleanup());

describe('order-transition.lua', () => {
  const keys = () => ({ order: t.keys.paymentOrder('o1'), open: t.keys.paymentOrdersOpen(), paid: t.keys.paymentOrdersPaid() });

  it('moves an order only from an expected status, with its fields and index moves', async () => {
    await t.redis.hset(keys().order, { orderId: 'o1', status: 'open' });
    await t.redis.zadd(keys().open, 1, 'o1');
    expect(await orderTransitionScript(t.redis, keys(), { from: ['paid'], to: 'refunding', now: 2 })).toBe(false);
    expect(await orderTransitionScript(t.redis, keys(), { from: ['open', 'closed'], to: 'paid', now: 3, fields: { transactionId: 'tx' } })).toBe(true);
    expect(await orderTransitionScript(t.redis, keys(), { from: ['open', 'closed'], to: 'paid', now: 4, fields: { transactionId: 'other' } })).toBe(false);
    expect(await t.redis.hgetall(keys().order)).toMatchObject({ status: 'paid', transactionId: 'tx', updatedAt: '3' });
    expect(await t.redis.zrange(keys().open, 0, -1)).toEqual([]);
    expect(await t.redis.zrange(keys().paid, 0, -1, 'WITHSCORES')).toEqual(['o1', '3']);
    expect(await orderTransitionScript(t.redis, keys(), { from: ['paid'], to: 'refunding', now: 5, fields: { refundId: 'rfo1' } })).toBe(true);
    expect(await t.redis.zcard(keys().paid)).toBe(0);
    expect(await orderTransitionScript(t.redis, { ...keys(), order: t.keys.paymentOrder('missing') }, { from: ['open'], to: 'paid', now: 6 })).toBe(false);
  });
});

describe('job-note.lua', () => {
  it('appends an event with the current status once per marker, without touching fence or lock', async () => {
    await store.create(newJob('j1'));
    const k = { job: t.keys.job('j1'), events: t.keys.jobEvents('j1'), channel: t.keys.jobChannel('j1') };
    await t.redis.set(t.keys.jobLock('j1'), 'token-7');
    const fence = await t.redis.hget(k.job, 'fence');
    const sub = t.redis.duplicate();
    const heard: string[] = [];
    await sub.subscribe(k.channel);
    sub.on('message', (_c, id: string) => heard.push(id));

    const id = await jobNoteScript(t.redis, k, { marker: 'n:refunded:rf1', type: 'refunded', now: 1_700_000_000_000, data: { amount: 250 } });
    expect(id).toMatch(/^\d+-\d+$/);
    expect(await jobNoteScript(t.redis, k, { marker: 'n:refunded:rf1', type: 'refunded', now: 1_700_000_000_001 })).toBeNull();
    expect(await jobNoteScript(t.redis, k, { marker: 'n:refunded:rf2', type: 'refunded', now: 1_700_000_000_002 })).not.toBeNull();
    const notes = (await store.events('j1')).filter((e) => e.type === 'refunded');
    expect(notes).toHaveLength(2);
    expect(notes[0]).toMatchObject({ id, status: 'queued', at: new Date(1_700_000_000_000).toISOString(), data: { amount: 250 } });
    expect(await t.redis.hget(k.job, 'fence')).toBe(fence);
    expect(await t.redis.get(t.keys.jobLock('j1'))).toBe('token-7');
    expect((await store.get('j1'))?.status).toBe('queued');
    for (let i = 0; i < 50 && heard.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(heard[0]).toBe(id);
    sub.disconnect();

    const gone = { job: t.keys.job('nope'), events: t.keys.jobEvents('nope'), channel: t.keys.jobChannel('nope') };
    expect(await jobNoteScript(t.redis, gone, { marker: 'n:x', type: 'refunded', now: 1 })).toBeNull();
    expect(await t.redis.exists(gone.events)).toBe(0);
  });
});
