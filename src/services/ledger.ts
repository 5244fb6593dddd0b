/**
 * The prepaid balance as event sourcing: every change is an append-only ledger entry with an
 * idempotency key, applied together with the balance in one Lua script (ledger.lua). The balance
 * can always be rebuilt from the ledger, and `checkLedger` proves the two agree.
 */
import type { Redis } from 'ioredis';
import type { LedgerEntry } from '../contracts/index.js';
import { LedgerKindSchema } from '../contracts/index.js';
import type { Keys } from '../redis/keys.js';
import { ledgerScript, type LedgerKeys, type LedgerReply } from '../redis/scripts.js';

export interface LedgerDeps {
  redis: Redis;
  keys: Keys;
}

export type LedgerKind = LedgerEntry['kind'];

export function ledgerKeys(keys: Keys, accountId: string): LedgerKeys {
  return { account: keys.account(accountId), ledger: keys.accountLedger(accountId), index: keys.accountLedgerIndex(accountId) };
}

/**
 * Applies `delta` fen to the account once per `key`: a repeated key is a replay that writes nothing
 * and reports the stored entry; a debit past zero answers `insufficient` and writes nothing.
 */
export function applyLedger(
  deps: LedgerDeps,
  change: { accountId: string; key: string; delta: number; kind: LedgerKind; ref?: string; now: number },
): Promise<LedgerReply> {
  if (!Number.isSafeInteger(change.delta) || change.delta === 0) throw new RangeError(`bad ledger delta ${change.delta}`);
  return ledgerScript(deps.redis, ledgerKeys(deps.keys, change.accountId), {
    key: change.key,
    delta: change.delta,
    kind: change.kind,
    ref: change.ref ?? '',
    now: change.now,
    accountId: change.accountId,
  });
}

/** The current balance in fen (0 for an account that never had one). */
export async function getBalance(deps: LedgerDeps, accountId: string): Promise<number> {
  return Number((await deps.redis.hget(deps.keys.account(accountId), 'balance')) ?? '0');
}

function decodeEntry(id: string, fields: string[]): LedgerEntry {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
  return {
    id,
    idempotencyKey: f.key ?? '',
    kind: LedgerKindSchema.catch('credit').parse(f.kind),
    delta: Number(f.delta),
    balance: Number(f.balance),
    ...(f.ref ? { ref: f.ref } : {}),
    at: new Date(Number(f.at)).toISOString(),
  };
}

/** The newest `limit` entries, newest first. */
export async function recentEntries(deps: LedgerDeps, accountId: string, limit = 20): Promise<LedgerEntry[]> {
  const rows = await deps.redis.xrevrange(deps.keys.accountLedger(accountId), '+', '-', 'COUNT', limit);
  return rows.map(([id, fields]) => decodeEntry(id, fields));
}

/** The entry stored under an idempotency key, if any. */
export async function entryByKey(deps: LedgerDeps, accountId: string, key: string): Promise<LedgerEntry | null> {
  const id = await deps.redis.hget(deps.keys.accountLedgerIndex(accountId), key);
  if (!id) return null;
  const rows = await deps.redis.xrange(deps.keys.accountLedger(accountId), id, id);
  const row = rows[0];
  return row ? decodeEntry(row[0], row[1]) : null;
}

export interface LedgerCheck {
  accountId: string;
  balance: number;
  /** The sum of every entry's delta. */
  rebuilt: number;
  entries: number;
  indexed: number;
  /** balance − rebuilt; 0 when they agree. */
  drift: number;
  /** Entries whose running balance is not the previous one plus their delta, or is negative. */
  brokenChain: number;
  /** Idempotency keys that occur on more than one entry. */
  duplicateKeys: number;
  ok: boolean;
}

/**
 * Reads balance, ledger and index in one MULTI (a consistent snapshot) and proves they agree: the
 * balance equals the sum of the entries, each entry's running balance follows from the one
 * before, no key occurs twice and the index covers every entry.
 */
export async function checkLedger(deps: LedgerDeps, accountId: string): Promise<LedgerCheck> {
  const k = ledgerKeys(deps.keys, accountId);
  const res = await deps.redis.multi().hget(k.account, 'balance').xrange(k.ledger, '-', '+').hlen(k.index).exec();
  if (!res) throw new Error('ledger check aborted');
  for (const [err] of res) if (err) throw err;
  const balance = Number((res[0]![1] as string | null) ?? '0');
  const rows = res[1]![1] as [string, string[]][];
  const indexed = res[2]![1] as number;
  let rebuilt = 0;
  let brokenChain = 0;
  const seen = new Set<string>();
  let duplicateKeys = 0;
  for (const [id, fields] of rows) {
    const e = decodeEntry(id, fields);
    rebuilt += e.delta;
    if (e.balance !== rebuilt || e.balance < 0) brokenChain += 1;
    if (seen.has(e.idempotencyKey)) duplicateKeys += 1;
    seen.add(e.idempotencyKey);
  }
  const drift = balance - rebuilt;
  const ok = drift === 0 && brokenChain === 0 && duplicateKeys === 0 && indexed === rows.length;
  return { accountId, balance, rebuilt, entries: rows.length, indexed, drift, brokenChain, duplicateKeys, ok };
}

/**
 * Recomputes the balance from the ledger and stores it (optimistic: WATCH the ledger, retry if an
 * entry lands meanwhile). Returns the rebuilt balance.
 */
export async function rebuildBalance(deps: LedgerDeps, accountId: string): Promise<number> {
  const k = ledgerKeys(deps.keys, accountId);
  for (;;) {
    await deps.redis.watch(k.ledger);
    const rows = await deps.redis.xrange(k.ledger, '-', '+');
    const sum = rows.reduce((acc, [id, fields]) => acc + decodeEntry(id, fields).delta, 0);
    const done = await deps.redis.multi().hset(k.account, 'balance', String(sum)).exec();
    if (done) return sum;
  }
}
