/**
 * Notification safety under load: many compare jobs get their WeChat Pay orders from two real
 * payment consumers (the stream runtime, the payment handler, the wechatpay-axios-plugin against
 * the test WeChat server); most are paid. Then, concurrently over HTTP to the real API: genuine
 * notifications with WeChat-style retries, forgeries of every kind for paid and unpaid orders,
 * then exact replays. Counts what was refused by kind, how many payments were handed to the
 * payment worker, and how often each job was fulfilled (its `paid` events).
 */
import { createSign, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { buildApp } from '../../src/api/app.js';
import { loadConfig } from '../../src/config/env.js';
import { createJobStore } from '../../src/jobs/store.js';
import { createLogger } from '../../src/lib/logger.js';
import { registry } from '../../src/observability/metrics.js';
import { createRedis } from '../../src/redis/client.js';
import { createKeys } from '../../src/redis/keys.js';
import { newJobId } from '../../src/services/job-ids.js';
import { createObjectStore } from '../../src/storage/index.js';
import { ensureGroups, runConsumer } from '../../src/streams/index.js';
import { newJob } from '../../test/helpers/jobs.js';
import { deletePrefix } from '../../test/helpers/redis.js';
import { wechatEnv, wechatTestKeys } from '../../test/helpers/wechatpay-keys.js';
import type { TestNotification } from '../../test/helpers/wechatpay-notification.js';
import { startWechatTestServer } from '../../test/helpers/wechatpay-server.js';
import { paymentWorker } from '../../workers/payment/handler.js';
import type { WorkerDeps } from '../../workers/shared/types.js';

export interface NotifyBenchOptions {
  redisUrl: string;
  orders: number;
  /** Share of orders the payer pays (the rest only ever see forgeries). */
  paidShare: number;
  /** Genuine deliveries of each payment (WeChat retries with fresh nonces). */
  deliveries: number;
  concurrency: number;
}

/** Kinds of notification that must all be refused, and the status each must get. */
const FORGED = ['forged signature', 'unknown serial', 'stale timestamp', 'body altered after signing', 'ciphertext altered (tag)', 'replayed delivery'] as const;
type Kind = (typeof FORGED)[number] | 'genuine' | 'wrong amount';

interface Sent {
  kind: Kind;
  n: TestNotification;
}

/** The API's notification counter by outcome (this process's registry). */
async function notificationOutcomes(): Promise<Map<string, number>> {
  const m = registry.getSingleMetric('sheetdiff_payment_notifications_total');
  return new Map(((await m?.get())?.values ?? []).map((v) => [String(v.labels.outcome), v.value]));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function inPool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

function shuffle<T>(a: T[]): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

async function waitUntil(check: () => Promise<boolean>, what: string, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Runs the notification bench; prints its table and returns whether every check held. */
export async function runNotifyBench(o: NotifyBenchOptions): Promise<boolean> {
  const keysMaterial = wechatTestKeys();
  const wx = await startWechatTestServer(keysMaterial, 'certificate');
  const prefix = `bench:${randomBytes(4).toString('hex')}:sd:`;
  const dataDir = await mkdtemp(join(tmpdir(), 'sheetdiff-bench-'));
  const config = loadConfig({
    REDIS_URL: o.redisUrl,
    REDIS_PREFIX: prefix,
    DATA_DIR: dataDir,
    PUBLIC_BASE_URL: 'http://127.0.0.1:9',
    LOG_LEVEL: 'silent',
    ...wechatEnv(keysMaterial, wx.baseUrl),
  });
  const log = createLogger({ level: 'silent', component: 'bench' });
  const redis: Redis = createRedis({ url: o.redisUrl, name: 'bench' });
  const keys = createKeys(prefix);
  const jobs = createJobStore({ redis, keys });
  const store = await createObjectStore(config);
  const deps: WorkerDeps = { config, redis, keys, jobs, store, log };
  await ensureGroups(redis, keys);
  const consumers = [1, 2].map((i) =>
    runConsumer({
      redis, url: o.redisUrl, keys, kind: 'payment', schema: paymentWorker.schema, concurrency: 16, jobs: config.jobs,
      consumerName: `bench-payment-${i}`, log, route: (m) => paymentWorker.route(m), handle: (m, ctx) => paymentWorker.handle(m, ctx, deps),
    }),
  );
  const app = await buildApp({ config, redis, keys, store, jobs, log, clock: Date.now });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    // Orders, opened by the payment consumers exactly as after a real compare.
    const ids = Array.from({ length: o.orders }, () => newJobId());
    for (const id of ids) {
      await jobs.create(newJob(id, { ownerId: 'acc_benchnotify000000000' }));
      await jobs.transition(id, { from: ['queued'], to: 'compared', patch: { price: 100 + (id.charCodeAt(0) % 50) }, event: { type: 'compared' }, next: { kind: 'payment', type: 'JobCompared' } });
    }
    await waitUntil(async () => (await Promise.all(ids.map((id) => jobs.get(id)))).every((j) => j?.status === 'awaiting_payment'), 'orders to open');
    const orderOf = new Map<string, string>();
    for (const id of ids) orderOf.set(id, (await jobs.get(id))!.payment!.orderId);
    const paidIds = new Set(ids.slice(0, Math.round(ids.length * o.paidShare)));
    for (const id of paidIds) wx.markPaid(orderOf.get(id)!);

    // Phase 1: genuine deliveries with retries, and forgeries, all at once in random order.
    const platform = keysMaterial.platformPrivate;
    const resign = (n: TestNotification, body: string): TestNotification => {
      const ts = n.headers['wechatpay-timestamp']!;
      const nonce = n.headers['wechatpay-nonce']!;
      return { ...n, body, headers: { ...n.headers, 'wechatpay-signature': createSign('RSA-SHA256').update(`${ts}\n${nonce}\n${body}\n`).sign(platform, 'base64') } };
    };
    const tamperCiphertext = (n: TestNotification): string => {
      const parsed = JSON.parse(n.body) as { resource: { ciphertext: string } };
      const bytes = Buffer.from(parsed.resource.ciphertext, 'base64');
      bytes[Math.floor(Math.random() * bytes.length)]! ^= 1 << Math.floor(Math.random() * 8);
      return n.body.replace(parsed.resource.ciphertext, bytes.toString('base64'));
    };
    const phase1: Sent[] = [];
    const genuine: TestNotification[] = [];
    for (const id of ids) {
      const orderId = orderOf.get(id)!;
      if (!wx.orders.get(orderId)) throw new Error(`no WeChat order ${orderId}`);
      if (paidIds.has(id)) {
        for (let d = 0; d < o.deliveries; d++) genuine.push(wx.notification(orderId));
        phase1.push({ kind: 'wrong amount', n: wx.notification(orderId, { transaction: { amount: { total: 1, currency: 'CNY' } } }) });
      }
      // Forgeries claim a payment whether or not the payer paid.
      phase1.push({ kind: 'forged signature', n: wx.notification(orderId, { signWith: 'merchant' }) });
      phase1.push({ kind: 'unknown serial', n: wx.notification(orderId, { serial: randomBytes(16).toString('hex').toUpperCase() }) });
      phase1.push({ kind: 'stale timestamp', n: wx.notification(orderId, { timestamp: Math.floor(Date.now() / 1000) - 600 }) });
      const base1 = wx.notification(orderId);
      phase1.push({ kind: 'body altered after signing', n: { ...base1, body: base1.body.replace('"TRANSACTION.SUCCESS"', '"TRANSACTION.SUCCESS" ') } });
      const base2 = wx.notification(orderId);
      phase1.push({ kind: 'ciphertext altered (tag)', n: resign(base2, tamperCiphertext(base2)) });
    }
    phase1.push(...genuine.map((n) => ({ kind: 'genuine' as const, n })));
    const tally = new Map<Kind, { sent: number; refused: number; accepted: number; other: Map<number, number> }>();
    const send = async (s: Sent) => {
      const res = await fetch(`${base}/api/v1/wechatpay/notify`, { method: 'POST', headers: s.n.headers, body: s.n.body });
      await res.arrayBuffer();
      const t = tally.get(s.kind) ?? { sent: 0, refused: 0, accepted: 0, other: new Map() };
      tally.set(s.kind, t);
      t.sent += 1;
      if (res.status === 204) t.accepted += 1;
      else if (res.status >= 400 && res.status < 500) t.refused += 1;
      else t.other.set(res.status, (t.other.get(res.status) ?? 0) + 1);
    };
    const appliedBefore = await notificationOutcomes();
    const started = performance.now();
    await inPool(shuffle(phase1), o.concurrency, send);
    // Phase 2: every genuine delivery again, byte for byte (a captured request replayed).
    await inPool(shuffle(genuine.map((n) => ({ kind: 'replayed delivery' as const, n }))), o.concurrency, send);
    const seconds = (performance.now() - started) / 1000;

    await waitUntil(async () => (await Promise.all([...paidIds].map((id) => jobs.get(id)))).every((j) => j?.status === 'paid'), 'paid jobs');
    await waitUntil(async () => Number((await redis.xpending(keys.stream('payment'), keys.group('payment')))[0]) === 0, 'payment stream drained');

    // Fulfilments: `paid` events per job, hand-overs (PaymentNotified) per order.
    let once = 0;
    let twice = 0;
    let unpaidTouched = 0;
    for (const id of ids) {
      const paidEvents = (await jobs.events(id)).filter((e) => e.type === 'paid').length;
      const job = await jobs.get(id);
      if (paidIds.has(id)) {
        if (paidEvents === 1) once += 1;
        if (paidEvents > 1) twice += 1;
      } else {
        const order = await redis.hget(keys.paymentOrder(orderOf.get(id)!), 'status');
        if (paidEvents > 0 || job?.status !== 'awaiting_payment' || order !== 'open') unpaidTouched += 1;
      }
    }
    // Hand-overs to the payment worker: the API counts each notification it applied (the one
    // that marked the order paid) apart from duplicates.
    const applied = (await notificationOutcomes()).get('applied') ?? 0;
    const handOvers = applied - (appliedBefore.get('applied') ?? 0);

    console.log(`\nnotification bench: ${ids.length} orders (${paidIds.size} paid at WeChat, ${ids.length - paidIds.size} never paid), ${o.deliveries} genuine deliveries per payment, ${o.concurrency} in flight, 2 payment consumers`);
    console.log('kind                          sent  refused  accepted  other  refused %');
    let forgedSent = 0;
    let forgedRefused = 0;
    let ok = true;
    for (const kind of ['genuine', 'wrong amount', ...FORGED] as Kind[]) {
      const t = tally.get(kind) ?? { sent: 0, refused: 0, accepted: 0, other: new Map() };
      const other = [...t.other.entries()].map(([s, n]) => `${n}×${s}`).join(' ') || '0';
      const pct = t.sent ? ((100 * t.refused) / t.sent).toFixed(1) : '-';
      console.log(`${kind.padEnd(28)} ${String(t.sent).padStart(5)}  ${String(t.refused).padStart(7)}  ${String(t.accepted).padStart(8)}  ${other.padStart(5)}  ${pct.padStart(8)}`);
      if (kind === 'genuine') ok &&= t.accepted === t.sent;
      else ok &&= t.refused === t.sent;
      if ((FORGED as readonly string[]).includes(kind)) {
        forgedSent += t.sent;
        forgedRefused += t.refused;
      }
    }
    const refusedPct = forgedSent ? (100 * forgedRefused) / forgedSent : 100;
    console.log(`forged or replayed: ${forgedRefused} of ${forgedSent} refused (${refusedPct.toFixed(2)} %); ${(tally.size ? [...tally.values()].reduce((a, t) => a + t.sent, 0) : 0)} notifications in ${seconds.toFixed(1)} s`);
    console.log(`fulfilments: ${once} of ${paidIds.size} paid jobs fulfilled exactly once, ${twice} double fulfilments; ${handOvers} payments handed to the payment worker for ${paidIds.size} paid orders; ${unpaidTouched} never-paid orders changed`);
    ok &&= refusedPct === 100 && once === paidIds.size && twice === 0 && handOvers === paidIds.size && unpaidTouched === 0;
    console.log(ok ? 'CHECK OK: 100 % of forged/replayed notifications refused, 0 double fulfilments, unpaid orders untouched' : 'CHECK FAILED');
    return ok;
  } finally {
    await Promise.all(consumers.map((c) => c.close()));
    await app.close();
    await wx.close();
    await deletePrefix(redis, prefix);
    redis.disconnect();
    await rm(dataDir, { recursive: true, force: true });
  }
}
