/**
 * Every Redis key, stream, group and channel name sheetdiff uses. No other module writes a key
 * string; grep for the prefix finds only this file.
 *
 * Keys of one job share the hash tag `{<jobId>}` so every script that touches only one job works
 * on Redis Cluster. Streams and the small global indexes (outbox, delayed, expiry) live outside
 * any job's slot; see docs/job-runtime.md for which scripts combine them.
 */

/** The three work streams, one per worker kind. */
export const STREAM_KINDS = ['compare', 'payment', 'export'] as const;
export type StreamKind = (typeof STREAM_KINDS)[number];

export function createKeys(prefix = 'sd:') {
  const p = prefix;
  const jobBefore = `${p}job:{`;
  const jobAfter = '}';
  const chanBefore = `${p}chan:job:{`;
  const chanAfter = '}';
  // Built once: streamKeys() hands them to every batched call (and runs per job with a next stage).
  const jobParts = [jobBefore, jobAfter] as const;
  const chanParts = [chanBefore, chanAfter] as const;
  return {
    prefix: p,
    // One job: hash, event stream, lock. `{id}` is the hash tag.
    job: (id: string) => `${jobBefore}${id}${jobAfter}`,
    /**
     * `[before, after]` with job(id) === before + id + after: the batched claim and finish scripts
     * read a job's id off its key where they need it instead of receiving it per job.
     */
    jobParts: (): readonly [string, string] => jobParts,
    jobEvents: (id: string) => `${p}job:{${id}}:events`,
    jobLock: (id: string) => `${p}lock:{${id}}`,
    /** Pub/Sub channel announcing new events of one job (live SSE). */
    jobChannel: (id: string) => `${chanBefore}${id}${chanAfter}`,
    /**
     * `[before, after]` with jobChannel(id) === before + id + after: the batched claim and finish
     * scripts build a channel name only for a watched job instead of receiving one per job.
     */
    jobChannelParts: (): readonly [string, string] => chanParts,
    // Work streams and their bookkeeping.
    stream: (kind: string) => `${p}stream:${kind}`,
    group: (kind: string) => kind,
    /** Hash entryId → jobId for entries not yet acked; lets the reclaimer rebuild deleted entries. */
    streamEntries: (kind: string) => `${p}stream:${kind}:entries`,
    /** Sorted set jobId → due time (ms) of retries waiting for their backoff. */
    delayed: (kind: string) => `${p}delayed:${kind}`,
    deadLetter: () => `${p}stream:dead`,
    /** Sorted set jobId → time written, of jobs created but not yet enqueued (outbox relay). */
    outbox: () => `${p}outbox`,
    /** Sorted set jobId → expiry time (ms) of jobs whose artefacts must be removed. */
    expiry: () => `${p}expiry`,
    // Record-stream exports (src/exports): one hash per export; work on stream `records`.
    recordExport: (id: string) => `${p}export:{${id}}`,
    /** Sorted set exportId → expiry time (ms): the export-worker removes its objects then. */
    recordExportExpiry: () => `${p}exports:expiry`,
    // Callers.
    account: (id: string) => `${p}account:{${id}}`,
    accountJobs: (id: string) => `${p}account:{${id}}:jobs`,
    apiKey: (sha256Hex: string) => `${p}apikey:${sha256Hex}`,
    apiKeyIndex: () => `${p}apikeys`,
    idempotency: (ownerId: string, keyHash: string) => `${p}idem:{${ownerId}}:${keyHash}`,
    // Payments.
    paymentOrder: (orderId: string) => `${p}order:${orderId}`,
    /** Sorted set orderId → created (ms) of orders not yet paid or closed (reconcile, expiry). */
    paymentOrdersOpen: () => `${p}orders:open`,
    /** Sorted set orderId → paid (ms) of paid orders still checked for delivery or a double payment. */
    paymentOrdersPaid: () => `${p}orders:paid`,
    /** String: which payment settled a job (`o:<orderId>` or `b:<jobId>`), set once (SET NX). */
    jobSettlement: (jobId: string) => `${p}job:{${jobId}}:settled`,
    /** Sorted set `b:<accountId>:<jobId>` → time of balance payments between debit and job transition (recovery). */
    balancePaymentsPending: () => `${p}payments:balance-pending`,
    /** Sorted set jobId → paid time of settled jobs not yet delivered (refund when they fail). */
    paymentsDelivering: () => `${p}payments:delivering`,
    /** Sorted set `o:<orderId>` | `b:<jobId>` → time of refunds to make. */
    paymentRefunds: () => `${p}payments:refunds`,
    /** String, EX: a WeChat Pay notification nonce already seen (replay guard). */
    wechatNonce: (nonce: string) => `${p}wxpay:nonce:${nonce}`,
    // Prepaid balance: the balance lives in the account hash; ledger and index share its tag.
    accountLedger: (id: string) => `${p}account:{${id}}:ledger`,
    accountLedgerIndex: (id: string) => `${p}account:{${id}}:ledger:idem`,
  };
}

export type Keys = ReturnType<typeof createKeys>;
