import { describe, expect, it } from 'vitest';
import { CompareRequestedSchema, PaymentMessageSchema } from '../../../src/contracts/index.js';
import { makeEnvelope } from '../../../src/jobs/envelope.js';
import { decodeEntry } from '../../../src/streams/decode.js';

const fields = (v: unknown) => ['data', typeof v === 'string' ? v : JSON.stringify(v)];

describe('decodeEntry', () => {
  it('decodes a valid envelope and keeps the raw data', () => {
    const env = makeEnvelope({ type: 'CompareRequested', jobId: 'j1', traceparent: '00-abc-def-01' });
    const d = decodeEntry(CompareRequestedSchema, fields(env));
    expect(d.ok).toBe(true);
    if (d.ok) {
      expect(d.msg).toEqual({ ...env, payload: {} });
      expect(JSON.parse(d.data)).toEqual(env);
    }
  });

  it('defaults a missing payload', () => {
    const d = decodeEntry(CompareRequestedSchema, fields({ v: 1, type: 'CompareRequested', id: 'm', jobId: 'j' }));
    expect(d.ok && d.msg.payload).toEqual({});
  });

  it.each([
    ['no data field', ['other', 'x'], 'entry has no data field'],
    ['a deleted entry', null, 'entry has no data field'],
    ['non-JSON data', fields('{nope'), 'data is not JSON'],
    ['a wrong version', fields({ v: 2, type: 'CompareRequested', id: 'm', jobId: 'j' }), 'invalid envelope: v'],
    ['a wrong type', fields({ v: 1, type: 'ExportRequested', id: 'm', jobId: 'j' }), 'invalid envelope: type'],
  ])('rejects %s', (_name, f, reason) => {
    const d = decodeEntry(CompareRequestedSchema, f as string[] | null);
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.reason).toContain(reason);
  });

  it('reports the job id of an invalid envelope when it has one', () => {
    const d = decodeEntry(CompareRequestedSchema, fields({ v: 1, type: 'Nope', id: 'm', jobId: 'j9' }));
    expect(d).toMatchObject({ ok: false, jobId: 'j9' });
  });

  it('decodes discriminated payment messages by type', () => {
    const ok = decodeEntry(PaymentMessageSchema, fields(makeEnvelope({
      type: 'PaymentNotified', jobId: 'j', payload: { orderId: 'o', transactionId: 't', amount: 5 },
    })));
    expect(ok.ok && ok.msg.type).toBe('PaymentNotified');
    const bad = decodeEntry(PaymentMessageSchema, fields(makeEnvelope({ type: 'PaymentNotified', jobId: 'j', payload: { orderId: 'o' } })));
    expect(bad.ok).toBe(false);
  });
});
