import { describe, expect, it } from 'vitest';
import { CompareOptionsSchema } from '../../../src/contracts/index.js';
import { decodeEvent } from '../../../src/jobs/events.js';
import {
  decodeJobHash,
  decodeJobJoined,
  encodeJobRecord,
  encodePatch,
  JOB_RECORD_FIELDS,
  newJobRecord,
} from '../../../src/jobs/hash.js';
import type { NewJob } from '../../../src/jobs/types.js';

const file = { name: 'old.xlsx', storageKey: 'uploads/a/old.xlsx', size: 10, sha256: 'ab'.repeat(32), format: 'xlsx' as const };
const job: NewJob = {
  id: 'job1',
  ownerId: 'acct1',
  files: { old: file, new: { ...file, name: 'new.csv', format: 'csv' } },
  key: ['id'],
  options: CompareOptionsSchema.parse({ trim: true }),
  retentionMs: 3_600_000,
};

const toHash = (flat: string[]) => Object.fromEntries(flat.flatMap((_, i) => (i % 2 === 0 ? [[flat[i], flat[i + 1]]] : [])));

describe('job hash codec', () => {
  it('round-trips a new record through the stored fields', () => {
    const rec = newJobRecord(job, 1_700_000_000_000);
    expect(rec.expiresAt).toBe(1_700_003_600_000);
    const hash = toHash(encodeJobRecord(rec));
    expect(hash.paid).toBe('0');
    expect(hash.fence).toBe('0');
    expect(decodeJobHash(hash)).toEqual(rec);
  });

  it('decodes patched fields with their types', () => {
    const rec = newJobRecord(job, 1);
    const patch = encodePatch({
      price: 150,
      paid: true,
      error: { code: 'malformed_file', message: 'bad' },
      payment: { orderId: 'o1', amount: 150, codeUrl: 'weixin://x', expiresAt: 5 },
      progress: undefined,
    });
    expect(patch).toEqual([
      'price', '150', 'paid', '1', 'error', '{"code":"malformed_file","message":"bad"}',
      'payment', '{"orderId":"o1","amount":150,"codeUrl":"weixin://x","expiresAt":5}',
    ]);
    const decoded = decodeJobHash({ ...toHash(encodeJobRecord(rec)), ...toHash(patch), 'q:compare': '{}', done: '3' });
    expect(decoded).toMatchObject({ price: 150, paid: true, error: { code: 'malformed_file' }, payment: { amount: 150 } });
    expect(decoded).not.toHaveProperty('done');
  });

  it('returns null for a missing hash and throws on a corrupt one', () => {
    expect(decodeJobHash({})).toBeNull();
    const hash = toHash(encodeJobRecord(newJobRecord(job, 1)));
    expect(() => decodeJobHash({ ...hash, files: '{not json' })).toThrow();
    expect(() => decodeJobHash({ ...hash, status: 'exploded' })).toThrow();
  });

  it('decodes the NUL-joined record claim.lua returns, in JOB_RECORD_FIELDS order', () => {
    const rec = { ...newJobRecord(job, 7), price: 30 };
    const hash = toHash(encodeJobRecord(rec));
    const joined = JOB_RECORD_FIELDS.map((f) => hash[f] ?? '').join('\0');
    expect(JOB_RECORD_FIELDS).toContain('status');
    expect(JOB_RECORD_FIELDS).not.toContain('q:compare');
    expect(decodeJobJoined(joined)).toEqual(rec);
    expect(decodeJobJoined(JOB_RECORD_FIELDS.map(() => '').join('\0'))).toBeNull();
  });

  it('refuses to store a NUL character (it separates fields in claim replies)', () => {
    expect(() => encodeJobRecord({ ...newJobRecord(job, 1), ownerId: 'a\0b' })).toThrow(/NUL/);
  });
});

describe('decodeEvent', () => {
  it('decodes type, time, status and data', () => {
    const ev = decodeEvent('1700000000123-0', ['type', 'compared', 'at', '1700000000100', 'status', 'compared', 'data', '{"rows":3}']);
    expect(ev).toEqual({ id: '1700000000123-0', type: 'compared', at: '2023-11-14T22:13:20.100Z', status: 'compared', data: { rows: 3 } });
  });

  it('keeps a usable entry when data or status are malformed', () => {
    const ev = decodeEvent('1700000000123-0', ['type', 'x', 'status', 'nope', 'data', '{oops']);
    expect(ev).toEqual({ id: '1700000000123-0', type: 'x', at: '2023-11-14T22:13:20.123Z' });
  });
});
