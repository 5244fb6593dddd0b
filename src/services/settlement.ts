/**
 * Which payment settled a job, decided once. A job can be paid by its WeChat (or dev) order, by a
 * re-opened order, or from the balance; whichever claims the job's settlement key first (SET NX)
 * pays for it, and any other confirmed payment for the same job is refunded. This is what keeps
 * a payer from being charged twice for one download.
 */
import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';

/** Settlement (and refund queue member) of an order payment. */
export const orderSettlement = (orderId: string) => `o:${orderId}`;
/** Settlement (and refund queue member) of a balance payment. */
export const balanceSettlement = (accountId: string, jobId: string) => `b:${accountId}:${jobId}`;

/** Parses a settlement / refund member back. */
export function parseSettlement(v: string): { kind: 'order'; orderId: string } | { kind: 'balance'; accountId: string; jobId: string } | null {
  if (v.startsWith('o:')) return { kind: 'order', orderId: v.slice(2) };
  const m = /^b:([^:]+):(.+)$/.exec(v);
  return m ? { kind: 'balance', accountId: m[1]!, jobId: m[2]! } : null;
}

/** Kept well past any job's retention, so a late duplicate payment is still recognised. */
const SETTLEMENT_TTL_MS = 90 * 24 * 3_600_000;

export interface SettlementDeps {
  redis: Redis;
  keys: Keys;
}

/** Claims the job for `value`: `won` (first), `same` (already ours), or the other settlement. */
export async function claimSettlement(deps: SettlementDeps, jobId: string, value: string): Promise<{ outcome: 'won' | 'same' } | { outcome: 'other'; by: string }> {
  const key = deps.keys.jobSettlement(jobId);
  if ((await deps.redis.set(key, value, 'PX', SETTLEMENT_TTL_MS, 'NX')) === 'OK') return { outcome: 'won' };
  const by = await deps.redis.get(key);
  if (by === value) return { outcome: 'same' };
  if (by === null) return claimSettlement(deps, jobId, value);
  return { outcome: 'other', by };
}

export function settlementOf(deps: SettlementDeps, jobId: string): Promise<string | null> {
  return deps.redis.get(deps.keys.jobSettlement(jobId));
}

/** Queues a refund of a settlement or of a payment that lost the settlement (the payment worker makes it). */
export async function queueRefund(deps: SettlementDeps, member: string, now: number): Promise<void> {
  await deps.redis.zadd(deps.keys.paymentRefunds(), 'NX', now, member);
}

/** Remembers a settled job until it is delivered (a job that fails instead is refunded). */
export async function markDelivering(deps: SettlementDeps, jobId: string, now: number): Promise<void> {
  await deps.redis.zadd(deps.keys.paymentsDelivering(), 'NX', now, jobId);
}
