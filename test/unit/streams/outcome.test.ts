import { describe, expect, it } from 'vitest';
import { ERRORS } from '../../../src/errors/index.js';
import { createKeys } from '../../../src/redis/keys.js';
import { jobKeys } from '../../../src/redis/scripts.js';
import { completeItem, failureItem, releaseItem, type RunRef } from '../../../src/streams/outcome.js';

const keys = createKeys('x:');
const run: RunRef = {
  entryId: '1-0', jobId: 'j', token: '4', attempt: 2, data: '{"v":1}', traceparent: 'tp',
  route: { expect: ['queued'], running: 'comparing' }, keys: jobKeys(keys, 'j'),
};
const policy = { maxAttempts: 3, retryBaseMs: 100, retryMaxMs: 1_000, now: 10_000, random: () => 0.5 };

describe('outcome items', () => {
  it('completes from the running status with patch, event and next stage', () => {
    const it = completeItem(run, { to: 'compared', patch: { price: 3 }, event: { type: 'compared', data: { a: 1 } }, next: { kind: 'payment', type: 'JobCompared' } }, keys);
    expect(it).toMatchObject({ op: 'complete', from: ['comparing'], to: 'compared', patch: ['price', '3'], eventType: 'compared', eventData: '{"a":1}', arg: '' });
    expect(it.next?.stream).toBe('x:stream:payment');
    expect(JSON.parse(it.data)).toMatchObject({ v: 1, type: 'JobCompared', jobId: 'j', traceparent: 'tp' });
  });

  it('marks terminal targets so the job keys get their expiry', () => {
    expect(completeItem(run, { to: 'ready', event: { type: 'ready' } }, keys).arg).toBe('1');
  });

  it('turns a null outcome into an ack that keeps the job where it was (back to its input status, with an event)', () => {
    expect(completeItem(run, null, keys)).toMatchObject({ op: 'complete', to: 'queued', eventType: 'no_change' });
    expect(completeItem({ ...run, route: { expect: ['compared'] } }, null, keys)).toMatchObject({ to: '', from: ['compared'], eventType: '' });
  });

  it('fails at once on a terminal error, without dead-lettering', () => {
    const it = failureItem(run, ERRORS.malformedFile('broken zip'), policy);
    expect(it).toMatchObject({ op: 'fail', to: 'failed', arg: '' });
    expect(JSON.parse(it.eventData)).toEqual({ code: 'malformed_file', message: 'broken zip' });
  });

  it('retries a retryable error with jittered backoff back to the input status', () => {
    const it = failureItem(run, new Error('ECONNRESET'), policy);
    expect(it).toMatchObject({ op: 'retry', to: 'queued', data: '{"v":1}' });
    // attempt 2 → retry number 1 → window [0, 200), random 0.5 → 100 ms.
    expect(it.arg).toBe('10100');
    expect(JSON.parse(it.eventData)).toMatchObject({ attempt: 2, delayMs: 100, error: { code: 'internal_error' } });
  });

  it('dead-letters a retryable error on the last attempt', () => {
    const it = failureItem({ ...run, attempt: 3 }, ERRORS.storageUnavailable('down'), policy);
    expect(it).toMatchObject({ op: 'fail', to: 'failed', arg: '1' });
    expect(JSON.parse(it.eventData).message).toContain('gave up after 3 attempts');
  });

  it('hands a job back to its input status', () => {
    expect(releaseItem(run, 'shutdown')).toMatchObject({ op: 'release', to: 'queued', eventType: 'requeued', data: '{"v":1}' });
  });
});
