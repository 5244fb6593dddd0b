import { describe, expect, it } from 'vitest';
import { newJobId } from '../../../src/services/job-ids.js';
import { jobIdForOrder, orderIdForJob } from '../../../src/services/payments.js';

describe('order ids', () => {
  it('round-trips job ids, including re-opened orders', () => {
    for (let i = 0; i < 200; i++) {
      const jobId = newJobId();
      expect(jobIdForOrder(orderIdForJob(jobId))).toBe(jobId);
      expect(jobIdForOrder(orderIdForJob(jobId, 12))).toBe(jobId);
    }
  });

  it('stays within WeChat Pay out_trade_no rules (6–32 of [A-Za-z0-9_-])', () => {
    const id = orderIdForJob(newJobId(), 99_999);
    expect(id).toMatch(/^[A-Za-z0-9_-]{6,32}$/);
    expect(orderIdForJob('AAAAAAAAAAAAAAAAAAAAAA')).toBe('sdAAAAAAAAAAAAAAAAAAAAAA');
  });

  it.each(['', 'sd', 'xxAAAAAAAAAAAAAAAAAAAAAA', 'sdAAAA', 'sdAAAAAAAAAAAAAAAAAAAAAAr0', 'sdAAAAAAAAAAAAAAAAAAAAAA/'])(
    'does not take %j for one of ours',
    (orderId) => expect(jobIdForOrder(orderId)).toBeNull(),
  );

  it('refuses things that are not job ids', () => {
    expect(() => orderIdForJob('../x')).toThrow();
    expect(() => orderIdForJob(newJobId(), 0)).toThrow();
  });
});
