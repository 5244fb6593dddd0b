/**
 * Typed wrappers of the payment scripts (ledger.lua, order-transition.lua, job-note.lua);
 * re-exported by scripts.ts with the job runtime's wrappers.
 */
import type { Redis } from 'ioredis';
import { runCall, type ScriptCall } from './script-loader.js';

/** The three keys of one account's balance, all under the account's hash tag. */
export interface LedgerKeys {
  account: string;
  ledger: string;
  index: string;
}

export type LedgerReply =
  | { code: 'applied' | 'replayed'; entryId: string; balance: number; delta: number }
  | { code: 'insufficient'; balance: number; delta: number };

/** ledger.lua: one balance change with its append-only entry, exactly once per key. */
export function ledgerCall(
  k: LedgerKeys,
  a: { key: string; delta: number; kind: string; ref: string; now: number; accountId: string },
): ScriptCall<LedgerReply> {
  return {
    name: 'ledger',
    keys: [k.account, k.ledger, k.index],
    argv: [a.key, a.delta, a.kind, a.ref, a.now, a.accountId],
    parse: (r) => {
      const [code, entryId, balance, delta] = r as [string, string, string, string];
      if (code === 'insufficient') return { code, balance: Number(balance), delta: Number(delta) };
      if (code !== 'applied' && code !== 'replayed') throw new Error(`ledger script answered ${code}`);
      return { code, entryId, balance: Number(balance), delta: Number(delta) };
    },
  };
}

export function ledgerScript(redis: Redis, ...args: Parameters<typeof ledgerCall>): Promise<LedgerReply> {
  return runCall(redis, ledgerCall(...args));
}

/** order-transition.lua: CAS of a payment order's status with its index moves; true when applied. */
export function orderTransitionScript(
  redis: Redis,
  k: { order: string; open: string; paid: string },
  a: { from: readonly string[]; to: string; now: number; fields?: Record<string, string | number> },
): Promise<boolean> {
  const fields = Object.entries(a.fields ?? {}).flatMap(([f, v]) => [f, String(v)]);
  return runCall(redis, {
    name: 'order-transition',
    keys: [k.order, k.open, k.paid],
    argv: [a.from.join(','), a.to, a.now, ...fields],
    parse: (r) => r === 1,
  });
}

/** job-note.lua: an event in a job's history without a state change, once per marker; the event id or null. */
export function jobNoteScript(
  redis: Redis,
  k: { job: string; events: string; channel: string },
  a: { marker: string; type: string; now: number; data?: Record<string, unknown> },
): Promise<string | null> {
  return runCall(redis, {
    name: 'job-note',
    keys: [k.job, k.events, k.channel],
    argv: [a.marker, a.type, a.now, a.data ? JSON.stringify(a.data) : ''],
    parse: (r) => (typeof r === 'string' ? r : null),
  });
}
