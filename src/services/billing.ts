/**
 * Billing use-cases of the API: the caller's profile, balance top-ups (a payment order whose paid
 * notification credits the balance once), exact-once deductions for services, and paying a
 * compare job from the balance. POSTs honour `Idempotency-Key` on top of their own exactness.
 */
import type { BalancePayment, DeductRequest, DeductResult, PaymentOrder, Profile, TopUpRequest } from '../contracts/index.js';
import { ERRORS } from '../errors/index.js';
import { providerFor } from '../payments/provider.js';
import { payJobFromBalance } from './balance-payments.js';
import { getOwnedJob } from './comparisons.js';
import type { Caller, ServiceDeps } from './deps.js';
import { fingerprintOf, runIdempotent, type IdempotentResult } from './idempotency.js';
import { toJobView } from './job-view.js';
import { applyLedger, getBalance, recentEntries } from './ledger.js';
import { getOrder, saveOrder, setOrderCodeUrl, type OrderRecord } from './payment-orders.js';
import { topUpOrderId } from './payments.js';

const idemDeps = (deps: ServiceDeps) => ({ redis: deps.redis, keys: deps.keys, ttlSeconds: deps.config.http.idempotencyTtlSeconds });

/** GET /profile: account, balance, the 20 most recent jobs and ledger entries. */
export async function getProfile(deps: ServiceDeps, caller: Caller): Promise<Profile> {
  const [account, balance, jobs, ledger] = await Promise.all([
    deps.redis.hgetall(deps.keys.account(caller.accountId)),
    getBalance(deps, caller.accountId),
    deps.jobs.listByOwner(caller.accountId, { limit: 20 }),
    recentEntries(deps, caller.accountId, 20),
  ]);
  const kind = account.kind === 'service' || caller.via === 'apiKey' ? 'service' : 'anonymous';
  return {
    account: {
      id: caller.accountId,
      kind,
      ...(account.name ? { name: account.name } : {}),
      ...(account.createdAt ? { createdAt: account.createdAt } : {}),
    },
    balance,
    currency: 'CNY',
    jobs: jobs.map(toJobView),
    ledger,
  };
}

function toPaymentOrder(o: OrderRecord): PaymentOrder {
  return { orderId: o.orderId, amount: o.amount, currency: 'CNY', codeUrl: o.codeUrl ?? '', expiresAt: new Date(o.expiresAt).toISOString(), status: o.status };
}

/** Opens (or, for a repeated key, returns) a top-up order and its code URL. */
export async function openTopUp(deps: ServiceDeps, caller: Caller, body: TopUpRequest, headerKey?: string): Promise<IdempotentResult> {
  const key = body.idempotencyKey ?? headerKey;
  const scope = { ownerId: caller.accountId, key: headerKey, operation: 'POST /billing/pending' };
  return runIdempotent(idemDeps(deps), scope, {
    fingerprintOnly: async () => fingerprintOf(body),
    execute: async () => {
      const now = deps.clock();
      const orderId = topUpOrderId(caller.accountId, key);
      const saved = await saveOrder(deps, {
        orderId,
        kind: 'topup',
        accountId: caller.accountId,
        amount: body.amount,
        createdAt: now,
        expiresAt: now + deps.config.payment.orderTtlMs,
      });
      if (saved.accountId !== caller.accountId || saved.amount !== body.amount) {
        throw ERRORS.idempotencyMismatch('this idempotency key opened a top-up with another amount');
      }
      let order = saved;
      if (order.status === 'open' && !order.codeUrl) {
        const provider = await providerFor(deps.config);
        const created = await provider.createOrder({ orderId, amount: order.amount, description: 'sheetdiff balance top-up', expiresAt: order.expiresAt });
        await setOrderCodeUrl(deps, orderId, created.codeUrl, now);
        order = (await getOrder(deps, orderId)) ?? { ...order, codeUrl: created.codeUrl };
      }
      return { fingerprint: fingerprintOf(body), response: { status: 201, body: toPaymentOrder(order) } };
    },
  });
}

/** Deducts `amount` exactly once per `idempotencyKey`; 402 when the balance is short. */
export async function deductBalance(deps: ServiceDeps, caller: Caller, body: DeductRequest, headerKey?: string): Promise<IdempotentResult> {
  const scope = { ownerId: caller.accountId, key: headerKey, operation: 'POST /billing/deduct' };
  return runIdempotent(idemDeps(deps), scope, {
    fingerprintOnly: async () => fingerprintOf(body),
    execute: async () => {
      const r = await applyLedger(deps, {
        accountId: caller.accountId,
        key: `deduct:${body.idempotencyKey}`,
        delta: -body.amount,
        kind: 'deduct',
        ref: body.reason ?? '',
        now: deps.clock(),
      });
      if (r.code === 'insufficient') {
        throw ERRORS.insufficientBalance(`the balance (${r.balance} fen) does not cover ${body.amount} fen`, { balance: r.balance, amount: body.amount });
      }
      if (r.delta !== -body.amount) throw ERRORS.idempotencyMismatch('this idempotencyKey already deducted another amount');
      const result: DeductResult = { entryId: r.entryId, amount: body.amount, balance: r.balance, replayed: r.code === 'replayed' };
      return { fingerprint: fingerprintOf(body), response: { status: r.code === 'applied' ? 201 : 200, body: result } };
    },
  });
}

/** POST /compare/jobs/{id}/pay-from-balance. */
export async function payFromBalance(deps: ServiceDeps, caller: Caller, jobId: string, headerKey?: string): Promise<IdempotentResult> {
  const scope = { ownerId: caller.accountId, key: headerKey, operation: `POST /compare/jobs/${jobId}/pay-from-balance` };
  return runIdempotent(idemDeps(deps), scope, {
    fingerprintOnly: async () => fingerprintOf({ jobId }),
    execute: async () => {
      const job = await getOwnedJob(deps, caller, jobId);
      const paid: BalancePayment = await payJobFromBalance(deps, job);
      return { fingerprint: fingerprintOf({ jobId }), response: { status: 200, body: paid } };
    },
  });
}
