import { register } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { paymentMetrics } from '../../../src/observability/metrics.js';

async function values(name: string): Promise<Map<string, number>> {
  const m = (await register.getSingleMetric(name)!.get()).values;
  return new Map(m.map((v) => [Object.values(v.labels).join(','), v.value]));
}

describe('paymentMetrics', () => {
  it('counts order states and notification outcomes', async () => {
    paymentMetrics.orderState('created');
    paymentMetrics.orderState('paid');
    paymentMetrics.orderState('paid');
    paymentMetrics.notification('rejected_sign_error');
    const orders = await values('sheetdiff_payment_orders_total');
    expect(orders.get('created')).toBe(1);
    expect(orders.get('paid')).toBe(2);
    expect((await values('sheetdiff_payment_notifications_total')).get('rejected_sign_error')).toBe(1);
  });

  it('counts refunds by outcome', async () => {
    paymentMetrics.refund('requested');
    paymentMetrics.refund('abnormal');
    paymentMetrics.refund('abnormal');
    const r = await values('sheetdiff_payment_refunds_total');
    expect(r.get('requested')).toBe(1);
    expect(r.get('abnormal')).toBe(2);
  });

  it('keeps label values bounded: odd values and values past 32 distinct ones become "other"', async () => {
    paymentMetrics.notification('Order 123/abc');
    for (let i = 0; i < 40; i++) paymentMetrics.notification(`outcome_${i}`);
    const n = await values('sheetdiff_payment_notifications_total');
    expect(n.size).toBeLessThanOrEqual(33);
    expect(n.get('other')).toBeGreaterThanOrEqual(1 + 40 - 31);
    expect([...n.keys()].some((k) => k.includes('123'))).toBe(false);
  });
});
