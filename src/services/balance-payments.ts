/**
 * Paying a compare job from the prepaid balance: debit once per job (ledger key `job:<id>`),
 * claim the job's settlement, then the same `paid` transition a verified order payment makes.
 *
 * The job id sits in a "pending" index from before the debit until the end, so a process that
 * dies in between leaves a trace the payment worker finishes (`completeBalancePayment` again):
 * the job gets paid, or the debit is credited back. Money is never kept without a delivery.
 */
import { ERRORS } from '../errors/index.js';
import type { JobRecord } from '../jobs/types.js';
import { paymentMetrics } from '../observability/metrics.js';
import type { ServiceDeps } from './deps.js';
import { noteJobEvent } from './job-notes.js';
import { applyLedger, entryByKey, getBalance } from './ledger.js';
import { balanceSettlement, claimSettlement, markDelivering, settlementOf } from './settlement.js';

type Deps = Pick<ServiceDeps, 'redis' | 'keys' | 'jobs' | 'clock'>;

const PAYABLE: JobRecord['status'][] = ['awaiting_payment', 'compared'];

export interface BalancePaymentResult {
  jobId: string;
  amount: number;
  balance: number;
  entryId: string;
  status: JobRecord['status'];
}

/** The ledger key of a job's balance payment (one per job, whatever the client sends). */
export const jobPaymentKey = (jobId: string) => `job:${jobId}`;
/** The ledger key of its refund. */
export const jobRefundKey = (jobId: string) => `refund:job:${jobId}`;

/** Debits the job's price and settles the job; 402 when the balance is short, 409 when paid otherwise. */
export async function payJobFromBalance(deps: Deps, job: JobRecord): Promise<BalancePaymentResult> {
  const mine = balanceSettlement(job.ownerId, job.id);
  if (job.paid) {
    const entry = await entryByKey(deps, job.ownerId, jobPaymentKey(job.id));
    if (entry && (await settlementOf(deps, job.id)) === mine) {
      return { jobId: job.id, amount: -entry.delta, balance: await getBalance(deps, job.ownerId), entryId: entry.id, status: job.status };
    }
    throw ERRORS.conflict(`job ${job.id} is already paid`, { jobStatus: job.status });
  }
  const amount = job.price ?? 0;
  if (!PAYABLE.includes(job.status) || amount <= 0) {
    throw ERRORS.invalidState(`job ${job.id} has nothing to pay (status ${job.status})`, { jobStatus: job.status });
  }
  const now = deps.clock();
  await deps.redis.zadd(deps.keys.balancePaymentsPending(), now, mine);
  const debit = await applyLedger(deps, { accountId: job.ownerId, key: jobPaymentKey(job.id), delta: -amount, kind: 'job_payment', ref: job.id, now });
  if (debit.code === 'insufficient') {
    await deps.redis.zrem(deps.keys.balancePaymentsPending(), mine);
    throw ERRORS.insufficientBalance(`the balance (${debit.balance} fen) does not cover ${amount} fen`, { balance: debit.balance, amount });
  }
  const outcome = await completeBalancePayment(deps, job.id, job.ownerId);
  if (outcome !== 'paid') throw ERRORS.conflict(`job ${job.id} was paid or closed meanwhile; the balance was credited back`, { outcome });
  const fresh = await deps.jobs.get(job.id);
  return { jobId: job.id, amount, balance: await getBalance(deps, job.ownerId), entryId: debit.entryId, status: fresh?.status ?? 'paid' };
}

/**
 * Finishes a balance payment whose debit exists: settle and mark the job paid, or credit the
 * debit back when another payment settled the job or it can no longer be paid. Idempotent.
 */
export async function completeBalancePayment(deps: Deps, jobId: string, accountId: string): Promise<'paid' | 'refunded' | 'none'> {
  const pending = deps.keys.balancePaymentsPending();
  const mine = balanceSettlement(accountId, jobId);
  const entry = await entryByKey(deps, accountId, jobPaymentKey(jobId));
  if (!entry) {
    await deps.redis.zrem(pending, mine);
    return 'none';
  }
  const now = deps.clock();
  const claim = await claimSettlement(deps, jobId, mine);
  let outcome: 'paid' | 'refunded' = 'paid';
  if (claim.outcome === 'other') {
    outcome = 'refunded';
  } else {
    await markDelivering(deps, jobId, now);
    const applied = await deps.jobs.transition(jobId, {
      from: PAYABLE,
      to: 'paid',
      patch: { paid: true },
      event: { type: 'paid', data: { method: 'balance', entryId: entry.id, amount: -entry.delta } },
      next: { kind: 'export', type: 'ExportRequested' },
    });
    if (!applied) {
      // Not applied: either a retry of ours already did (paid), or the job was cancelled or is gone.
      const job = await deps.jobs.get(jobId);
      outcome = job?.paid ? 'paid' : 'refunded';
    }
  }
  if (outcome === 'refunded') await refundBalancePayment(deps, accountId, jobId, now, claim.outcome === 'other' ? 'paid otherwise' : 'not payable');
  await deps.redis.zrem(pending, mine);
  return outcome;
}

/**
 * Credits a job's balance payment back (ledger key `refund:job:<id>`, so at most once) and notes
 * `refunded` in the job's history. Returns false when there was no balance payment to give back.
 */
export async function refundBalancePayment(
  deps: Pick<ServiceDeps, 'redis' | 'keys'>,
  accountId: string,
  jobId: string,
  now: number,
  reason: string,
): Promise<boolean> {
  const entry = await entryByKey(deps, accountId, jobPaymentKey(jobId));
  if (!entry) return false;
  const credit = await applyLedger(deps, { accountId, key: jobRefundKey(jobId), delta: -entry.delta, kind: 'refund', ref: jobId, now });
  if (credit.code === 'applied') paymentMetrics.refund('balance');
  const entryId = credit.code === 'insufficient' ? '' : credit.entryId;
  await noteJobEvent(deps, jobId, {
    marker: 'refunded:balance',
    type: 'refunded',
    now,
    data: { method: 'balance', amount: -entry.delta, currency: 'CNY', entryId, reason },
  });
  return true;
}
