/**
 * The money figures, in two parts; exits 1 when any check fails.
 *
 * 1. Ledger exactness under load: 10,000 balance operations (top-ups, deductions that may be
 *    short, job payments) from many concurrent callers over a few accounts, with random retries
 *    of the same idempotency key (as clients and ioredis re-sends do). Prints, per account and in
 *    total, the entries written, the balance, the balance rebuilt from the ledger and the drift.
 * 2. Notification safety (bench/payments/notify-bench.ts): genuine WeChat Pay notifications with
 *    retries, forgeries of every kind and replays against the real API and payment consumers;
 *    prints the share refused by kind and the fulfilments per job.
 *
 * Usage: npm run bench:ledger [-- --ops 10000 --concurrency 64 --accounts 8 --orders 200
 *        --deliveries 4 --paid-share 0.8]  (REDIS_URL picks the Redis; a private one is best)
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createKeys } from '../src/redis/keys.js';
import { applyLedger, checkLedger } from '../src/services/ledger.js';
import { runNotifyBench } from './payments/notify-bench.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const OPS = arg('ops', 10_000);
const CONCURRENCY = arg('concurrency', 64);
const ACCOUNTS = arg('accounts', 8);

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = new Redis(REDIS_URL);
const prefix = `bench:${randomUUID().slice(0, 8)}:sd:`;
const keys = createKeys(prefix);
const deps = { redis, keys };
const accounts = Array.from({ length: ACCOUNTS }, (_, i) => `acc_bench${String(i).padStart(17, '0')}`);

/** What the bench itself expects, from the replies it got (first application of each key only). */
const expected = new Map<string, { balance: number; entries: number }>(accounts.map((a) => [a, { balance: 0, entries: 0 }]));
let retries = 0;
let insufficient = 0;
let replays = 0;

async function one(i: number): Promise<void> {
  const accountId = accounts[i % ACCOUNTS]!;
  const roll = Math.random();
  const delta = roll < 0.4 ? 1 + Math.floor(Math.random() * 500) : -(1 + Math.floor(Math.random() * 300));
  const kind = delta > 0 ? 'topup' : roll < 0.8 ? 'deduct' : 'job_payment';
  const key = `${kind}:${i}`;
  const sends = 1 + (Math.random() < 0.3 ? 1 + Math.floor(Math.random() * 3) : 0);
  retries += sends - 1;
  const replies = await Promise.all(Array.from({ length: sends }, () => applyLedger(deps, { accountId, key, delta, kind, ref: '', now: Date.now() })));
  const applied = replies.filter((r) => r.code === 'applied').length;
  replays += replies.filter((r) => r.code === 'replayed').length;
  if (replies.every((r) => r.code === 'insufficient')) insufficient += 1;
  if (applied > 1) throw new Error(`key ${key} applied ${applied} times`);
  if (applied === 1) {
    const e = expected.get(accountId)!;
    e.balance += delta;
    e.entries += 1;
  }
}

async function ledgerBench(): Promise<boolean> {
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < OPS) await one(next++);
  }));
  const ms = performance.now() - started;
  let drift = 0;
  let bad = 0;
  let entries = 0;
  console.log(`ledger bench: ${OPS} operations, ${retries} extra retries, ${replays} replays, ${insufficient} refused as insufficient, ${CONCURRENCY} in flight, ${ACCOUNTS} accounts`);
  console.log('account                       entries  balance  rebuilt  expected  drift  ok');
  for (const a of accounts) {
    const c = await checkLedger(deps, a);
    const e = expected.get(a)!;
    const ok = c.ok && c.balance === e.balance && c.entries === e.entries;
    drift += Math.abs(c.drift) + Math.abs(c.balance - e.balance);
    entries += c.entries;
    if (!ok) bad += 1;
    console.log(`${a}  ${String(c.entries).padStart(7)}  ${String(c.balance).padStart(7)}  ${String(c.rebuilt).padStart(7)}  ${String(e.balance).padStart(8)}  ${String(c.drift).padStart(5)}  ${ok ? 'yes' : 'NO'}`);
  }
  console.log(`total entries ${entries}, drift ${drift}, accounts disagreeing ${bad} (${(OPS / (ms / 1000)).toFixed(0)} ops/s on this machine, not a benchmark figure)`);
  console.log(bad === 0 && drift === 0 ? 'CHECK OK: balance = rebuilt ledger = expected for every account' : 'CHECK FAILED');
  let cursor = '0';
  do {
    const [n, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = n;
    if (found.length) await redis.unlink(...found);
  } while (cursor !== '0');
  redis.disconnect();
  return bad === 0 && drift === 0;
}

const ledgerOk = await ledgerBench();
const notifyOk = await runNotifyBench({
  redisUrl: REDIS_URL,
  orders: arg('orders', 200),
  paidShare: arg('paid-share', 0.8),
  deliveries: arg('deliveries', 4),
  concurrency: arg('notify-concurrency', 32),
});
process.exit(ledgerOk && notifyOk ? 0 : 1);
