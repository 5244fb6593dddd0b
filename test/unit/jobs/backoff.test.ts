import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../src/jobs/backoff.js';

describe('backoffDelay', () => {
  it.each([
    [0, 1_000],
    [1, 2_000],
    [2, 4_000],
    [5, 32_000],
    [6, 60_000],
    [30, 60_000],
  ])('keeps retry %i within [0, %i)', (attempt, ceiling) => {
    for (let i = 0; i < 500; i++) {
      const d = backoffDelay(attempt, 1_000, 60_000);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(ceiling);
      expect(Number.isInteger(d)).toBe(true);
    }
  });

  it('spans the whole jitter window (full jitter)', () => {
    expect(backoffDelay(3, 100, 10_000, () => 0)).toBe(0);
    expect(backoffDelay(3, 100, 10_000, () => 0.999999)).toBe(799);
    expect(backoffDelay(3, 100, 10_000, () => 0.5)).toBe(400);
  });

  it('caps at max however large the attempt', () => {
    expect(backoffDelay(1_000, 50, 3_000, () => 0.999999)).toBe(2_999);
    expect(backoffDelay(-3, 50, 3_000, () => 0.999999)).toBe(49);
  });

  it('grows the mean schedule exponentially until the cap', () => {
    const mean = (a: number) => {
      let sum = 0;
      for (let i = 0; i < 4_000; i++) sum += backoffDelay(a, 100, 1_600);
      return sum / 4_000;
    };
    const m = [0, 1, 2, 3, 4, 5].map(mean);
    // Expected means 50, 100, 200, 400, 800, 800 (random noise well inside these bands).
    expect(m[0]).toBeGreaterThan(40);
    expect(m[0]).toBeLessThan(60);
    expect(m[3]).toBeGreaterThan(360);
    expect(m[3]).toBeLessThan(440);
    expect(m[5]).toBeGreaterThan(720);
    expect(m[5]).toBeLessThan(880);
  });
});
