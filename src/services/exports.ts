/**
 * Record-stream export use-cases behind the HTTP API (DESIGN §7): open, add a batch, complete,
 * read, cancel, and the one-request form. Another caller's export is 404, as for jobs.
 */
import { randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import {
  ExportCreateSchema,
  EXPORT_TERMINAL,
  type BatchAccepted,
  type ExportCreate,
  type ExportStatus,
  type ExportView,
} from '../contracts/exports.js';
import { AppError, ERRORS } from '../errors/index.js';
import { createExportStore, type ExportRecord, type ExportStore } from '../exports/export-store.js';
import { normaliseBatch, RecordChecker, type BatchKind } from '../exports/records.js';
import { exportKeys } from '../storage/keys.js';
import { ensureAccount } from './accounts.js';
import type { Caller, ServiceDeps } from './deps.js';
import { fingerprintOf, runIdempotent, type IdempotentResult } from './idempotency.js';
import { isJobId, newJobId } from './job-ids.js';

const stores = new WeakMap<object, ExportStore>();
/** The export store of these deps (one per Redis client). */
export function exportStoreOf(deps: Pick<ServiceDeps, 'redis' | 'keys'>): ExportStore {
  let s = stores.get(deps.redis);
  if (!s) stores.set(deps.redis, (s = createExportStore(deps.redis, deps.keys)));
  return s;
}

const iso = (ms: number): string => new Date(ms).toISOString();

function downloadName(spec: { filename?: string | undefined; format: 'xlsx' | 'csv' }): string {
  const base = (spec.filename ?? 'export').replace(/[\\/\x00-\x1f]/g, '_');
  return base.toLowerCase().endsWith(`.${spec.format}`) ? base : `${base}.${spec.format}`;
}

/** The export view, with a fresh signed link once COMPLETED. */
export async function toExportView(deps: ServiceDeps, e: ExportRecord): Promise<ExportView> {
  const view: ExportView = {
    exportId: e.id,
    status: e.status,
    format: e.format,
    filename: e.filename,
    progress: e.status === 'COMPLETED' ? 100 : Math.min(99, e.progress),
    recordCount: e.records,
    batches: e.batches,
    createdAt: iso(e.createdAt),
    updatedAt: iso(e.updatedAt),
    expiresAt: iso(e.expiresAt),
  };
  if (e.fileSize !== undefined) view.fileSize = e.fileSize;
  if (e.sha256) view.sha256 = e.sha256;
  if (e.error) view.error = e.error;
  if (e.status === 'COMPLETED' && e.fileKey) {
    const ttl = Math.max(10, Math.min(deps.config.storage.downloadUrlTtlSeconds, Math.floor((e.expiresAt - deps.clock()) / 1000)));
    view.url = await deps.store.signedUrl(e.fileKey, { expiresIn: ttl, downloadName: e.filename });
    view.urlExpiresAt = iso(deps.clock() + ttl * 1000);
  }
  return view;
}

/** The export if `caller` owns it (404 otherwise, and for unknown ids). */
export async function getOwnedExport(deps: ServiceDeps, caller: Caller, id: string): Promise<ExportRecord> {
  const e = isJobId(id) ? await exportStoreOf(deps).get(id) : null;
  if (!e || e.owner !== caller.accountId || e.expiresAt <= deps.clock()) throw ERRORS.notFound('export', id);
  return e;
}

async function openExport(deps: ServiceDeps, caller: Caller, spec: ExportCreate): Promise<ExportRecord> {
  const id = newJobId();
  const now = deps.clock();
  await ensureAccount(deps, caller.accountId, { kind: caller.via === 'apiKey' ? 'service' : 'anonymous', now });
  await exportStoreOf(deps).create(id, caller.accountId, spec, downloadName(spec), now, deps.config.exports.retentionMs);
  return (await exportStoreOf(deps).get(id))!;
}

const idem = (deps: ServiceDeps) => ({ redis: deps.redis, keys: deps.keys, ttlSeconds: deps.config.http.idempotencyTtlSeconds });

/** POST /exports (JSON metadata) → 201 with the export view. */
export async function createExport(deps: ServiceDeps, req: { caller: Caller; spec: ExportCreate; idempotencyKey?: string | undefined }): Promise<IdempotentResult> {
  const fingerprint = fingerprintOf(req.spec);
  return runIdempotent(idem(deps), { ownerId: req.caller.accountId, key: req.idempotencyKey, operation: 'POST /exports' }, {
    fingerprintOnly: async () => fingerprint,
    execute: async () => {
      const view = await toExportView(deps, await openExport(deps, req.caller, req.spec));
      return { fingerprint, response: { status: 201, body: view, headers: { location: `/api/v1/exports/${view.exportId}` } } };
    },
  });
}

/** Stores one batch (streamed), once per seq; a record that does not fit fails the export. */
export async function addBatch(
  deps: ServiceDeps,
  req: { caller: Caller; id: string; seq: number | undefined; kind: BatchKind; body: Readable },
): Promise<BatchAccepted> {
  const e = await getOwnedExport(deps, req.caller, req.id);
  const seq = req.seq ?? 0;
  const store = exportStoreOf(deps);
  const claim = await store.claimBatch(e.id, seq, deps.clock());
  if (claim.kind !== 'ok') {
    req.body.resume(); // drain: the answer does not depend on the body
    if (claim.kind === 'dup') return { exportId: e.id, seq, records: claim.records, duplicate: true, recordCount: (await store.get(e.id))?.records ?? e.records };
    if (claim.kind === 'busy') throw ERRORS.conflict(`batch ${seq} of export ${e.id} is being stored by another request`, { retryAfterSeconds: 5 });
    throw ERRORS.invalidState(`export ${e.id} is ${claim.kind === 'state' ? claim.status : 'gone'} and takes no more records`, { exportStatus: e.status });
  }
  const { lines, count } = normaliseBatch(req.body, req.kind, new RecordChecker(e.columns), `batch ${seq}`);
  try {
    // One chunk read ahead at most: chunks waiting in a stream buffer outlive young-generation GCs.
    await deps.store.put(exportKeys.batch(e.id, seq), Readable.from(lines, { highWaterMark: 1 }), { contentType: 'application/x-ndjson' });
  } catch (err) {
    await store.releaseBatch(e.id, seq, claim.marker).catch(() => undefined);
    req.body.resume();
    if (err instanceof AppError && err.code === 'invalid_record') {
      await store.transition(e.id, ['OPEN'], 'FAILED', deps.clock(), { error: JSON.stringify({ code: err.code, message: err.message }) });
    }
    throw err;
  }
  const total = await store.commitBatch(e.id, seq, claim.marker, count(), deps.clock());
  if (total === null) throw ERRORS.invalidState(`export ${e.id} changed while batch ${seq} was stored (cancelled?)`);
  return { exportId: e.id, seq, records: count(), duplicate: false, recordCount: total };
}

/** POST /exports/{id}/complete → 202 QUEUED (idempotent: a completed export answers its state). */
export async function completeExport(deps: ServiceDeps, req: { caller: Caller; id: string; traceparent?: string | undefined }): Promise<ExportView> {
  const e = await getOwnedExport(deps, req.caller, req.id);
  const envelope = JSON.stringify({ v: 1, type: 'RecordExportRequested', id: randomBytes(9).toString('base64url'), jobId: e.id, payload: {}, ...(req.traceparent ? { traceparent: req.traceparent } : {}) });
  const r = await exportStoreOf(deps).complete(e.id, deps.clock(), envelope);
  if (r.kind === 'pending') throw ERRORS.conflict(`export ${e.id} still has a batch being stored (${r.detail}); complete it once every batch was answered`);
  if (r.kind === 'state' && (r.detail === 'FAILED' || r.detail === 'CANCELLED')) {
    throw ERRORS.invalidState(`export ${e.id} is ${r.detail} and cannot be completed`, { exportStatus: r.detail });
  }
  return toExportView(deps, (await exportStoreOf(deps).get(e.id))!);
}

/** DELETE /exports/{id}: cancels (the worker stops at its next progress step) and removes the batches. */
export async function cancelExport(deps: ServiceDeps, caller: Caller, id: string): Promise<ExportView> {
  const e = await getOwnedExport(deps, caller, id);
  const live: ExportStatus[] = ['OPEN', 'QUEUED', 'PROCESSING', 'UPLOADING'];
  if (!EXPORT_TERMINAL.includes(e.status)) {
    if (await exportStoreOf(deps).transition(e.id, live, 'CANCELLED', deps.clock())) {
      await deps.store.deletePrefix(exportKeys.prefix(e.id)).catch((err: unknown) => deps.log.warn({ err, exportId: e.id }, 'could not remove a cancelled export'));
    }
  }
  return toExportView(deps, (await exportStoreOf(deps).get(e.id))!);
}

/** POST /exports with an NDJSON body: the metadata line, then records; opens, stores and completes. */
export async function oneRequestExport(deps: ServiceDeps, req: { caller: Caller; body: Readable; traceparent?: string | undefined }): Promise<ExportView> {
  const { first, rest } = await splitFirstLine(req.body);
  let meta: unknown;
  try {
    meta = JSON.parse(first);
  } catch {
    throw ERRORS.validation('the first line of a one-request export must be the metadata JSON object');
  }
  const parsed = ExportCreateSchema.safeParse(meta);
  if (!parsed.success) throw ERRORS.validation('invalid export metadata on line 1', { issues: parsed.error.issues });
  const e = await openExport(deps, req.caller, parsed.data);
  await addBatch(deps, { caller: req.caller, id: e.id, seq: 0, kind: 'ndjson', body: rest });
  return completeExport(deps, { caller: req.caller, id: e.id, traceparent: req.traceparent });
}

function splitFirstLine(body: Readable): Promise<{ first: string; rest: Readable }> {
  return new Promise((resolve, reject) => {
    let head = Buffer.alloc(0);
    const done = (): void => {
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', reject);
    };
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const nl = head.indexOf(10);
      if (nl < 0) {
        if (head.length > 1024 * 1024) {
          done();
          body.resume();
          reject(ERRORS.validation('the metadata line is longer than 1 MiB'));
        }
        return;
      }
      done();
      body.pause();
      const rest = new PassThrough();
      rest.write(head.subarray(nl + 1));
      body.pipe(rest);
      resolve({ first: head.subarray(0, nl).toString('utf8'), rest });
    };
    const onEnd = (): void => {
      done();
      resolve({ first: head.toString('utf8'), rest: Readable.from([]) });
    };
    body.on('data', onData);
    body.on('end', onEnd);
    body.on('error', reject);
  });
}
