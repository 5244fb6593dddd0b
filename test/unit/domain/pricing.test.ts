import { describe, expect, it } from 'vitest';
import { priceForRows } from '../../../src/domain/pricing.js';

const rules = { priceBaseFen: 100, pricePer10kRowsFen: 50, freeRows: 1000 };

describe('priceForRows', () => {
  it.each([
    [0, 0],
    [1000, 0],
    [1001, 150],
    [10_000, 150],
    [10_001, 200],
    [1_000_000, 100 + 100 * 50],
  ])('%i rows cost %i fen', (rows, fen) => {
    expect(priceForRows(rows, rules)).toBe(fen);
  });
});
