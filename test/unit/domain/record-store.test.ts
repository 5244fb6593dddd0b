import { describe, expect, it } from 'vitest';
import { RecordStore } from '../../../src/domain/keyed/record-store.js';

const b = (s: string): Uint8Array => Buffer.from(s, 'utf8');

describe('RecordStore', () => {
  it('stores an empty record first (empty key, empty row) and the records after it', () => {
    const st = new RecordStore();
    const e = new Uint8Array(0);
    expect(st.add(e, 0, 0, e, 0, 0, 2)).toBe(0);
    expect(st.add(b('k'), 0, 1, b('row'), 0, 3, 3)).toBe(1);
    expect(st.block(0)).toBeInstanceOf(Uint8Array);
    expect(st.rowEnd(0) - st.rowStart(0)).toBe(0);
    expect(st.rowEquals(0, e, 0, 0)).toBe(true);
    expect(st.keyEquals(0, e, 0, 0)).toBe(true);
    expect(Buffer.from(st.block(1).subarray(st.rowStart(1), st.rowEnd(1))).toString()).toBe('row');
    expect([st.rowNumber(0), st.rowNumber(1)]).toEqual([2, 3]);
  });
});
