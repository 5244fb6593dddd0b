/**
 * Compare-job use-cases behind the HTTP API: start (streamed upload), read, cancel, preview and
 * export. Ownership and expiry are enforced here, so every entry point answers alike: another
 * caller's job is 404, an expired one 410.
 */
import type { Readable } from 'node:stream';
import { JOB_STATUSES, TERMINAL_STATUSES, type JobEvent, type JobStatus } from '../contracts/index.js';
import { AppError, ERRORS } from '../errors/index.js';
import type { JobRecord } from '../jobs/types.js';
import { joinTrace } from '../observability/trace-context.js';
import { objectKeys } from '../storage/keys.js';
import { ensureAccount } from './accounts.js';
import type { Caller, ServiceDeps } from './deps.js';
import { fingerprintOf, runIdempotent, type IdempotentResult } from './idempotency.js';
import { isJobId, newJobId } from './job-ids.js';
import { jobLinks, toJobCreated, toJobView } from './job-view.js';
import { readCompareUpload, type PersistFile, type UploadPart } from './uploads.js';

const ACTIVE: JobStatus[] = JOB_STATUSES.filter((s) => !TERMINAL_STATUSES.includes(s));
const COMPARED: JobStatus[] = ['compared', 'awaiting_payment', 'paid', 'exporting', 'ready'];

const CONTENT_TYPES = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  xlsm: 'application/vnd.ms-excel.sheet.macroEnabled.12',
  xls: 'application/vnd.ms-excel',
  csv: 'text/csv',
} as const;

function idempotencyDeps(deps: ServiceDeps) {
  return { redis: deps.redis, keys: deps.keys, ttlSeconds: deps.config.http.idempotencyTtlSeconds };
}

/**
 * POST /compare/jobs: streams both files to storage, then writes and enqueues the job.
 * Resolves with the response to send (202 + Location), replayed for a repeated Idempotency-Key.
 */
export async function startComparison(
  deps: ServiceDeps,
  req: { caller: Caller; parts: AsyncIterable<UploadPart>; idempotencyKey?: string | undefined; traceparent?: string | undefined },
): Promise<IdempotentResult> {
  // Fail before accepting a large upload that could not be recorded anyway.
  if (deps.redis.status !== 'ready') throw ERRORS.redisUnavailable('Redis is not reachable; try again shortly');
  const maxBytes = deps.config.http.maxUploadBytes;
  const scope = { ownerId: req.caller.accountId, key: req.idempotencyKey, operation: 'POST /compare/jobs' };
  return runIdempotent(idempotencyDeps(deps), scope, {
    fingerprintOnly: async () => (await readCompareUpload(req.parts, { maxBytes })).fingerprint,
    execute: async () => {
      const jobId = newJobId();
      const persist: PersistFile = async (side, format, body) => {
        const key = objectKeys.input(jobId, side, format);
        await deps.store.put(key, body, { contentType: CONTENT_TYPES[format] });
        return key;
      };
      try {
        const upload = await readCompareUpload(req.parts, { maxBytes, persist });
        const now = deps.clock();
        await ensureAccount(deps, req.caller.accountId, { kind: req.caller.via === 'apiKey' ? 'service' : 'anonymous', now });
        const job = await deps.jobs.create({
          id: jobId,
          ownerId: req.caller.accountId,
          files: upload.files,
          key: upload.key,
          options: upload.options,
          retentionMs: deps.config.jobs.retentionMs,
          ...(req.traceparent ? { traceparent: req.traceparent } : {}),
        });
        const response = { status: 202, body: toJobCreated(job), headers: { location: jobLinks(job.id).self } };
        return { fingerprint: upload.fingerprint, response };
      } catch (err) {
        await deps.store.deletePrefix(objectKeys.jobPrefix(jobId)).catch((e: unknown) => {
          deps.log.warn({ err: e, jobId }, 'could not remove the inputs of a rejected upload');
        });
        throw err;
      }
    },
  });
}

/** The job if `caller` owns it; 404 for unknown ids and other owners, 410 once expired. */
export async function getOwnedJob(deps: ServiceDeps, caller: Caller, id: string): Promise<JobRecord> {
  const job = isJobId(id) ? await deps.jobs.get(id) : null;
  if (!job || job.ownerId !== caller.accountId) throw ERRORS.notFound('job', id);
  if (job.status === 'expired' || job.expiresAt <= deps.clock()) {
    throw ERRORS.gone(`job ${id} has expired and its files were removed`, { expiredAt: new Date(job.expiresAt).toISOString() });
  }
  return job;
}

/** GET /compare/jobs/{id} */
export async function getJobView(deps: ServiceDeps, caller: Caller, id: string) {
  return toJobView(await getOwnedJob(deps, caller, id));
}

/** Throws 400 unless `id` is a Redis stream id (`<ms>-<seq>`), the shape of event ids. */
export function assertEventId(id: string | undefined): void {
  if (id !== undefined && !/^\d{1,20}-\d{1,20}$/.test(id)) {
    throw ERRORS.validation(`not an event id: ${id}`, { issues: [{ path: ['lastEventId'], message: 'expected <ms>-<seq>' }] });
  }
}

/** GET /compare/jobs/{id}/events (history after `afterId`, oldest first). */
export async function listJobEvents(deps: ServiceDeps, caller: Caller, id: string, afterId?: string): Promise<JobEvent[]> {
  assertEventId(afterId);
  await getOwnedJob(deps, caller, id);
  return deps.jobs.events(id, afterId ? { afterId } : {});
}

/** Cancels an active job (CAS to `cancelled` with its event); a cancelled job is returned as is. */
export async function cancelJob(deps: ServiceDeps, caller: Caller, id: string): Promise<JobRecord> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const job = await getOwnedJob(deps, caller, id);
    if (job.status === 'cancelled') return job;
    if (TERMINAL_STATUSES.includes(job.status)) {
      throw ERRORS.invalidState(`job ${id} is ${job.status} and can no longer be cancelled`, { jobStatus: job.status });
    }
    const applied = await deps.jobs.transition(id, {
      from: ACTIVE,
      to: 'cancelled',
      event: { type: 'cancelled', data: { by: caller.via } },
    });
    if (applied) return (await deps.jobs.get(id)) ?? job;
    // The job moved between our read and the CAS (e.g. a worker finished it): look again.
  }
  throw ERRORS.conflict(`job ${id} kept changing while being cancelled; try again`);
}

/** POST /compare/jobs/{id}/cancel with Idempotency-Key support; 200 with the job view. */
export async function cancelComparison(
  deps: ServiceDeps,
  req: { caller: Caller; id: string; idempotencyKey?: string | undefined },
): Promise<IdempotentResult> {
  const scope = { ownerId: req.caller.accountId, key: req.idempotencyKey, operation: `POST /compare/jobs/${req.id}/cancel` };
  const fingerprint = fingerprintOf({ id: req.id });
  return runIdempotent(idempotencyDeps(deps), scope, {
    fingerprintOnly: async () => fingerprint,
    execute: async () => ({
      fingerprint,
      response: { status: 200, body: toJobView(await cancelJob(deps, req.caller, req.id)) },
    }),
  });
}

/**
 * GET /compare/jobs/{id}/preview?page=N: page N of the job's changes as stored by the compare
 * worker (page 0 is preview.json), once the job is compared; 404 past the last page.
 */
export async function openPreview(deps: ServiceDeps, who: Caller, id: string, page = 0): Promise<Readable> {
  const job = await getOwnedJob(deps, who, id);
  if (!COMPARED.includes(job.status)) {
    const retry = ACTIVE.includes(job.status) ? { retryAfterSeconds: 2 } : {};
    throw ERRORS.invalidState(`the preview is available once the job is compared (status: ${job.status})`, {
      jobStatus: job.status,
      ...retry,
    });
  }
  const key = page === 0 ? (job.artefacts?.preview ?? objectKeys.previewPage(id, 0)) : objectKeys.previewPage(id, page);
  try {
    return await deps.store.get(key);
  } catch (err) {
    if (err instanceof AppError && err.code === 'not_found') throw ERRORS.notFound(`preview page ${page} of job`, id);
    throw err;
  }
}

/** Details a 402 carries so a client can show the QR code without another request. */
function paymentDetails(job: JobRecord): Record<string, unknown> {
  if (job.payment && job.status === 'awaiting_payment') {
    const { orderId, amount, codeUrl, expiresAt } = job.payment;
    return { orderId, amount, currency: 'CNY', codeUrl, expiresAt: new Date(expiresAt).toISOString(), jobStatus: job.status };
  }
  return { ...(job.price !== undefined ? { amount: job.price, currency: 'CNY' } : {}), jobStatus: job.status };
}

const stem = (name: string) =>
  name
    .replace(/\.[^.]*$/, '')
    .replace(/[^\p{L}\p{N}._-]+/gu, '_')
    .slice(0, 60) || 'file';

/** `diff-<old>-vs-<new>.<format>` from the uploaded file names. */
export function downloadName(job: Pick<JobRecord, 'files'>, format: 'xlsx' | 'csv'): string {
  return `diff-${stem(job.files.old.name)}-vs-${stem(job.files.new.name)}.${format}`;
}

/**
 * GET /compare/jobs/{id}/export: a signed link to the paid artefact. 402 with the payment
 * details until paid, 409 while the paid file is still being rendered, 410 once cancelled.
 */
export async function exportLink(deps: ServiceDeps, who: Caller, id: string, format: 'xlsx' | 'csv'): Promise<string> {
  const job = await getOwnedJob(deps, who, id);
  // Only the owner's request (checked above) joins the job's trace: upload → stages → download.
  return joinTrace(job.traceparent, `download ${format}`, { 'sheetdiff.job.status': job.status }, () => signedExportLink(deps, job, format));
}

async function signedExportLink(deps: ServiceDeps, job: JobRecord, format: 'xlsx' | 'csv'): Promise<string> {
  const id = job.id;
  if (job.status === 'cancelled') throw ERRORS.gone(`job ${id} was cancelled`, { jobStatus: job.status });
  if (job.status === 'failed') throw ERRORS.invalidState(`job ${id} failed: ${job.error?.message ?? 'unknown reason'}`, { jobStatus: job.status });
  if (!job.paid) throw ERRORS.paymentRequired('pay to download the full diff', paymentDetails(job));
  if (job.status !== 'ready') {
    throw ERRORS.invalidState('the download is still exporting', { jobStatus: job.status, retryAfterSeconds: 5 });
  }
  const key = job.artefacts?.[format];
  if (!key) throw ERRORS.notFound(`${format} export of job`, id);
  return deps.store.signedUrl(key, { expiresIn: deps.config.storage.downloadUrlTtlSeconds, downloadName: downloadName(job, format) });
}
