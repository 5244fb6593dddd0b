/**
 * Accounts own jobs. A browser gets an anonymous account id in a signed cookie; the account
 * record is written the first time it is needed (its first job), not on every visit.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';

const ACCOUNT_ID = /^acc_[A-Za-z0-9_-]{22}$/;

/** A new unguessable account id: `acc_` + 128 random bits (base64url). */
export function newAccountId(): string {
  return `acc_${randomBytes(16).toString('base64url')}`;
}

/** True when `id` has the shape of an account id. */
export function isAccountId(id: string): boolean {
  return ACCOUNT_ID.test(id);
}

/**
 * Writes the account record if it does not exist yet (HSETNX, so concurrent first requests and
 * repeated calls leave the original creation time alone).
 */
export async function ensureAccount(
  deps: { redis: Redis; keys: Keys },
  accountId: string,
  attrs: { kind: 'anonymous' | 'service'; name?: string; now: number },
): Promise<void> {
  const key = deps.keys.account(accountId);
  const multi = deps.redis.multi().hsetnx(key, 'id', accountId).hsetnx(key, 'kind', attrs.kind);
  multi.hsetnx(key, 'createdAt', new Date(attrs.now).toISOString());
  if (attrs.name) multi.hsetnx(key, 'name', attrs.name);
  await multi.exec();
}
