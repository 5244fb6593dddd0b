/**
 * `Idempotency-Key` for POSTs that create or charge: the same key with the same request returns
 * the first response again; with a different request, 422 `idempotency_key_reused`.
 *
 * The key is claimed atomically at request start (SET NX of an in-progress marker with a short,
 * heartbeat-extended TTL), so of two concurrent requests exactly one runs. The other waits for
 * the winner's stored response, then reads (hashes, never stores) its own body to compare
 * fingerprints. If the winner fails, its marker is removed and a waiting request takes over.
 * Keys are scoped per caller: `keys.idempotency(ownerId, sha256(key))`.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ERRORS } from '../errors/index.js';
import type { Keys } from '../redis/keys.js';

/** What is replayed: status, JSON body and the headers that matter (e.g. Location). */
export interface StoredResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface IdempotentResult extends StoredResponse {
  /** True when this is a stored response of an earlier request. */
  replayed: boolean;
}

export interface IdempotencyDeps {
  redis: Redis;
  keys: Keys;
  /** How long a finished response is kept. */
  ttlSeconds: number;
  /** Lifetime of the in-progress marker, renewed every third of it. @defaultValue 30000 */
  pendingTtlMs?: number;
  /** How long a second request waits for the first to finish. @defaultValue 60000 */
  waitMs?: number;
  /** Poll interval while waiting. @defaultValue 100 */
  pollMs?: number;
}

export interface IdempotentOperation {
  /** Runs the request for real; resolves with the request fingerprint and the response. */
  execute(): Promise<{ fingerprint: string; response: StoredResponse }>;
  /** Consumes the request body without side effects and returns its fingerprint. */
  fingerprintOnly(): Promise<string>;
}

type Record_ =
  | { state: 'pending'; token: string }
  | { state: 'done'; fingerprint: string; response: StoredResponse };

// One script for the three conditional steps on the marker (set-if, delete-if, extend-if), so
// a request only ever touches a key while its own marker is still there.
const IF_OWNER = `
local cur = redis.call('GET', KEYS[1])
if cur ~= ARGV[2] then return 0 end
if ARGV[1] == 'set' then redis.call('SET', KEYS[1], ARGV[3], 'EX', ARGV[4]) return 1 end
if ARGV[1] == 'del' then return redis.call('DEL', KEYS[1]) end
return redis.call('PEXPIRE', KEYS[1], ARGV[3])
`;

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Validates an Idempotency-Key header value (visible ASCII, 1–255 characters). */
export function parseIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !KEY_PATTERN.test(value)) {
    throw ERRORS.validation('Idempotency-Key must be 1–255 visible ASCII characters', {
      issues: [{ path: ['headers', 'idempotency-key'], message: 'invalid' }],
    });
  }
  return value;
}

/** sha256 of a JSON-able value with sorted object keys (a fingerprint for JSON bodies). */
export function fingerprintOf(value: unknown): string {
  const canon = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canon)
      : v && typeof v === 'object'
        ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon((v as Record<string, unknown>)[k])]))
        : v;
  return sha256(JSON.stringify(canon(value ?? null)));
}

/**
 * Runs `op` at most once per (caller, key): see the module comment. Without a key it simply
 * executes. `operation` (e.g. `POST /compare/jobs`) is part of the fingerprint, so a key reused
 * on another endpoint is also a 422.
 */
export async function runIdempotent(
  deps: IdempotencyDeps,
  scope: { ownerId: string; key: string | undefined; operation: string },
  op: IdempotentOperation,
): Promise<IdempotentResult> {
  if (scope.key === undefined) return { ...(await op.execute()).response, replayed: false };
  const redisKey = deps.keys.idempotency(scope.ownerId, sha256(scope.key));
  const pendingTtlMs = deps.pendingTtlMs ?? 30_000;
  const waitMs = deps.waitMs ?? 60_000;
  const pollMs = deps.pollMs ?? 100;
  const fp = (raw: string) => sha256(`${scope.operation}\n${raw}`);
  const started = Date.now();

  for (;;) {
    const marker = JSON.stringify({ state: 'pending', token: randomBytes(12).toString('base64url') });
    if ((await deps.redis.set(redisKey, marker, 'PX', pendingTtlMs, 'NX')) === 'OK') {
      return runAsOwner(deps, redisKey, marker, pendingTtlMs, fp, op);
    }
    const current = await deps.redis.get(redisKey);
    if (current === null) continue; // the owner gave up between our SET and GET: try again
    const rec = JSON.parse(current) as Record_;
    if (rec.state === 'done') {
      if (fp(await op.fingerprintOnly()) !== rec.fingerprint) {
        throw ERRORS.idempotencyMismatch('this Idempotency-Key was used with a different request');
      }
      return { ...rec.response, replayed: true };
    }
    if (Date.now() - started > waitMs) {
      throw ERRORS.idempotencyInProgress('a request with this Idempotency-Key is still in progress', {
        retryAfterSeconds: 5,
      });
    }
    await sleep(pollMs);
  }
}

async function runAsOwner(
  deps: IdempotencyDeps,
  redisKey: string,
  marker: string,
  pendingTtlMs: number,
  fp: (raw: string) => string,
  op: IdempotentOperation,
): Promise<IdempotentResult> {
  const ifOwner = (...args: (string | number)[]) => deps.redis.eval(IF_OWNER, 1, redisKey, ...args);
  const heartbeat = setInterval(() => {
    ifOwner('extend', marker, pendingTtlMs).catch(() => undefined);
  }, Math.max(50, Math.floor(pendingTtlMs / 3)));
  heartbeat.unref();
  let result: { fingerprint: string; response: StoredResponse };
  try {
    result = await op.execute();
  } catch (err) {
    clearInterval(heartbeat);
    // Failed requests are not remembered: the client may retry with the same key.
    await ifOwner('del', marker).catch(() => undefined);
    throw err;
  }
  clearInterval(heartbeat);
  const done: Record_ = { state: 'done', fingerprint: fp(result.fingerprint), response: result.response };
  // The work is done; if storing its answer fails the client still gets it (the marker then
  // expires and a retry would run again, the lesser evil next to answering an error now).
  await ifOwner('set', marker, JSON.stringify(done), deps.ttlSeconds).catch(() => undefined);
  return { ...result.response, replayed: false };
}
