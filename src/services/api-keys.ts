/**
 * API keys for services: `sdk_` + 256 random bits, shown once at creation and stored only as
 * their sha256 (a leaked Redis dump does not leak usable keys).
 *
 * `keys.apiKey(sha256)` holds {id, name, accountId, createdAt, hint}; `keys.apiKeyIndex()` maps
 * id → sha256 so a key can be listed and revoked by its public id.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ERRORS } from '../errors/index.js';
import type { Keys } from '../redis/keys.js';
import { ensureAccount, isAccountId, newAccountId } from './accounts.js';

export interface ApiKeyRecord {
  /** Public id, safe to log and show (`key_…`). */
  id: string;
  name: string;
  /** The account whose jobs this key sees. */
  accountId: string;
  createdAt: string;
  /** First characters of the key, to tell keys apart in listings. */
  hint: string;
}

export interface ApiKeyDeps {
  redis: Redis;
  keys: Keys;
  /** ms since epoch. @defaultValue Date.now */
  now?: () => number;
}

const KEY_PATTERN = /^sdk_[A-Za-z0-9_-]{43}$/;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Creates a key; the secret is returned only here. Without `accountId` the key gets its own new
 * account; passing the account of an existing key rotates keys without losing access to jobs.
 */
export async function createApiKey(
  deps: ApiKeyDeps,
  opts: { name: string; accountId?: string },
): Promise<{ key: string; record: ApiKeyRecord }> {
  const name = opts.name.trim();
  if (!name || name.length > 100) throw ERRORS.validation('API key name must be 1–100 characters');
  if (opts.accountId !== undefined && !isAccountId(opts.accountId)) {
    throw ERRORS.validation(`not an account id: ${opts.accountId}`);
  }
  const now = (deps.now ?? Date.now)();
  const key = `sdk_${randomBytes(32).toString('base64url')}`;
  const record: ApiKeyRecord = {
    id: `key_${randomBytes(9).toString('base64url')}`,
    name,
    accountId: opts.accountId ?? newAccountId(),
    createdAt: new Date(now).toISOString(),
    hint: key.slice(0, 8),
  };
  const hash = sha256(key);
  await ensureAccount(deps, record.accountId, { kind: 'service', name, now });
  await deps.redis
    .multi()
    .hset(deps.keys.apiKey(hash), { ...record })
    .hset(deps.keys.apiKeyIndex(), record.id, hash)
    .exec();
  return { key, record };
}

function decode(fields: Record<string, string>): ApiKeyRecord | null {
  if (!fields.id || !fields.accountId) return null;
  return {
    id: fields.id,
    name: fields.name ?? '',
    accountId: fields.accountId,
    createdAt: fields.createdAt ?? '',
    hint: fields.hint ?? '',
  };
}

/** The key's record, or null for an unknown, malformed or revoked key. */
export async function authenticateApiKey(deps: ApiKeyDeps, key: string): Promise<ApiKeyRecord | null> {
  if (!KEY_PATTERN.test(key)) return null;
  return decode(await deps.redis.hgetall(deps.keys.apiKey(sha256(key))));
}

/** Every live key, oldest first. */
export async function listApiKeys(deps: ApiKeyDeps): Promise<ApiKeyRecord[]> {
  const index = await deps.redis.hgetall(deps.keys.apiKeyIndex());
  const records = await Promise.all(
    Object.values(index).map(async (hash) => decode(await deps.redis.hgetall(deps.keys.apiKey(hash)))),
  );
  return records.filter((r): r is ApiKeyRecord => r !== null).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** Ends a key given its id (`key_…`) or the key itself; returns what was revoked, or null. */
export async function revokeApiKey(deps: ApiKeyDeps, idOrKey: string): Promise<ApiKeyRecord | null> {
  const hash = idOrKey.startsWith('sdk_') ? sha256(idOrKey) : await deps.redis.hget(deps.keys.apiKeyIndex(), idOrKey);
  if (!hash) return null;
  const record = decode(await deps.redis.hgetall(deps.keys.apiKey(hash)));
  if (!record) return null;
  await deps.redis.multi().del(deps.keys.apiKey(hash)).hdel(deps.keys.apiKeyIndex(), record.id).exec();
  return record;
}
