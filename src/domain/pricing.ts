/**
 * The price of a compare job's download, in fen, from its size: free up to `freeRows` rows in both
 * files together, else a base price plus a price per started 10k rows. Pure, so the amount shown
 * before paying is the amount charged (both come from this function and the stored row counts).
 */
export interface PricingRules {
  priceBaseFen: number;
  pricePer10kRowsFen: number;
  freeRows: number;
}

export function priceForRows(rows: number, rules: PricingRules): number {
  if (rows <= rules.freeRows) return 0;
  return rules.priceBaseFen + Math.ceil(rows / 10_000) * rules.pricePer10kRowsFen;
}
