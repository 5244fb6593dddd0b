import { describe, expect, it } from 'vitest';
import { alignSequences } from '../../../src/domain/keyed/sequence-align.js';

const align = (a: number[], b: number[]) => [...alignSequences(Int32Array.from(a), Int32Array.from(b), (i, j) => a[i] === b[j])];

describe('alignSequences', () => {
  it('aligns equal rows around a deletion, a change and an insertion', () => {
    expect(align([1, 2, 3, 4, 5], [1, 3, 9, 4, 5, 6])).toEqual([0, 2, -1, 3, 4, -1]);
  });

  it('uses the LCS table when no row is unique', () => {
    const m = align([7, 7, 8, 8, 7], [8, 8, 7, 7, 8]);
    const pairs = m.map((i, j) => [i, j] as const).filter(([i]) => i >= 0);
    expect(pairs.length).toBe(3); // a longest common subsequence: 8 8 7 or 7 7 8 …
    pairs.forEach(([i, j], k) => {
      expect([7, 7, 8, 8, 7][i]).toBe([8, 8, 7, 7, 8][j]);
      if (k > 0) expect(i).toBeGreaterThan(pairs[k - 1]![0]);
    });
  });

  it('does not cross alignments when rows moved', () => {
    const m = align([1, 2, 3, 4], [4, 1, 2, 3]);
    expect(m).toEqual([-1, 0, 1, 2]);
  });

  it('never trusts a hash alone', () => {
    const m = [...alignSequences(Int32Array.from([5, 5]), Int32Array.from([5, 5]), () => false)];
    expect(m).toEqual([-1, -1]);
  });

  it('handles empty sides', () => {
    expect(align([], [1, 2])).toEqual([-1, -1]);
    expect(align([1], [])).toEqual([]);
  });
});
