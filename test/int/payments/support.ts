/**
 * Shared setup of the payment tests: an API on real Redis configured for the test WeChat Pay, and
 * the payment worker's real handler and sweeps run in-process on the same Redis.
 */
import { PaymentMessageSchema } from '../../../src/contracts/index.js';
import { createLogger } from '../../../src/lib/logger.js';
import { providerFor } from '../../../src/payments/provider.js';
import type { JobContext } from '../../../src/streams/index.js';
import { handlePayment, paymentWorker } from '../../../workers/payment/handler.js';
import { sweepPayments } from '../../../workers/payment/sweeps.js';
import type { WorkerDeps } from '../../../workers/shared/run-worker.js';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { wechatEnv, wechatTestKeys } from '../../helpers/wechatpay-keys.js';
import { startWechatTestServer, type WechatTestServer } from '../../helpers/wechatpay-server.js';
import { upload, cookieOf } from '../api/support.js';

export interface PaymentsHarness {
  t: TestApp;
  wx: WechatTestServer;
  deps: WorkerDeps;
  /** Payment stream entries already handled by `drainPayments`. */
  handled: Set<string>;
}

export async function paymentsHarness(mode: 'certificate' | 'public-key' = 'certificate', env: Record<string, string> = {}): Promise<PaymentsHarness> {
  const keys = wechatTestKeys();
  const wx = await startWechatTestServer(keys, mode);
  const t = await buildTestApp({ env: { ...wechatEnv(keys, wx.baseUrl, mode), ...env } });
  const log = createLogger({ level: 'silent', component: 'payment-test' });
  const deps: WorkerDeps = { config: t.config, redis: t.redis, keys: t.keys, jobs: t.jobs, store: t.store, log };
  const { onTestFinished } = await import('vitest');
  onTestFinished(() => wx.close());
  return { t, wx, deps, handled: new Set() };
}

/** Runs the payment worker's handler on a job and commits its outcome as the runtime would. */
export async function runPaymentHandler(h: PaymentsHarness, jobId: string, msg: Parameters<typeof handlePayment>[0]): Promise<boolean> {
  const job = await h.t.jobs.get(jobId);
  if (!job) throw new Error(`no job ${jobId}`);
  const log = h.deps.log;
  const ctx = { jobId, job, token: '0', attempt: 1, signal: new AbortController().signal, progress: async () => undefined, log } as JobContext;
  const outcome = await handlePayment(msg, ctx, h.deps);
  if (!outcome) return false;
  return h.t.jobs.transition(jobId, { from: [job.status], to: outcome.to, ...(outcome.patch ? { patch: outcome.patch } : {}), event: outcome.event, ...(outcome.next ? { next: outcome.next } : {}) });
}

/** Uploads a job, marks it compared at `price` fen and lets the payment handler open its order. */
export async function jobAwaitingPayment(h: PaymentsHarness, price = 250): Promise<{ jobId: string; orderId: string; cookie: string }> {
  const res = await upload(h.t.app);
  const jobId = res.json().jobId as string;
  await h.t.jobs.transition(jobId, { from: ['queued'], to: 'compared', patch: { price }, event: { type: 'compared' } });
  const applied = await runPaymentHandler(h, jobId, { v: 1, type: 'JobCompared', id: 'm1', jobId, payload: {} });
  if (!applied) throw new Error('order not opened');
  const job = await h.t.jobs.get(jobId);
  return { jobId, orderId: job!.payment!.orderId, cookie: cookieOf(res) };
}

/** The PaymentNotified messages on the payment stream. */
export async function paymentNotices(h: PaymentsHarness): Promise<{ jobId: string; payload: Record<string, unknown> }[]> {
  const entries = await h.t.testRedis.redis.xrange(h.t.keys.stream('payment'), '-', '+');
  return entries
    .map(([, f]) => JSON.parse(f[1]!) as { type: string; jobId: string; payload: Record<string, unknown> })
    .filter((m) => m.type === 'PaymentNotified');
}

/**
 * Handles every payment stream entry of `jobId` not handled yet, as the consumer runtime would:
 * an entry whose job is not in one of its route's expected states is stale (acked, no change).
 * Returns how many entries changed the job.
 */
export async function drainPayments(h: PaymentsHarness, jobId: string): Promise<number> {
  let applied = 0;
  for (const [id, fields] of await h.t.testRedis.redis.xrange(h.t.keys.stream('payment'), '-', '+')) {
    if (h.handled.has(id)) continue;
    const msg = PaymentMessageSchema.parse(JSON.parse(fields[1]!));
    if (msg.jobId !== jobId) continue;
    h.handled.add(id);
    const job = await h.t.jobs.get(jobId);
    if (!job || !paymentWorker.route(msg).expect.includes(job.status)) continue;
    if (await runPaymentHandler(h, jobId, msg)) applied += 1;
  }
  return applied;
}

/** One pass of the payment worker's sweeps at `at` (default: past the reconcile delay). */
export async function sweep(h: PaymentsHarness, at = Date.now() + h.t.config.payment.reconcileAfterMs + 1): Promise<void> {
  await sweepPayments(h.deps, await providerFor(h.t.config), at);
}

/** The job's event types, oldest first. */
export async function eventTypes(h: PaymentsHarness, jobId: string): Promise<string[]> {
  return (await h.t.jobs.events(jobId)).map((e) => e.type);
}
