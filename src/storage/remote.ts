/**
 * What the remote drivers (OSS, S3) share: turning an SDK failure into an `ERRORS.*` code with a
 * reason an operator can act on, and the limits of signed links.
 */
import { AppError, ERRORS } from '../errors/index.js';

/** The parts of an SDK failure that decide its code: HTTP status (none for network errors) and the service's error code. */
export interface RemoteFailure {
  status: number | undefined;
  code: string | undefined;
  message: string;
}

/** Where a failure happened and which variables an operator should look at. */
export interface FailureContext {
  service: 'OSS' | 'S3';
  op: string;
  key: string;
  bucket: string;
  /** The credential variables, named in the reason of a refusal. */
  credentials: string;
  /** The variables that name the bucket, named when it does not exist. */
  bucketVars: string;
}

const MISSING_OBJECT = new Set(['NoSuchKey', 'NotFound', 'NoSuchKeyError']);
const REFUSED = new Set(['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'RequestTimeTooSkewed', 'Forbidden']);

/**
 * Maps a failure to the catalogue:
 * - a missing object → `not_found` (404);
 * - refused credentials or permissions (403) → `storage_access_denied`, naming the variables to check;
 * - a missing bucket → `storage_unavailable`, naming the bucket variables;
 * - anything else (5xx, timeouts, connection errors) → `storage_unavailable` (retryable).
 */
export function remoteError(ctx: FailureContext, f: RemoteFailure): AppError {
  const what = `${ctx.service} ${ctx.op} ${ctx.key}`;
  const code = f.code ?? (f.status ? `HTTP ${f.status}` : 'network error');
  if (f.code === 'NoSuchBucket') {
    return ERRORS.storageUnavailable(`${what}: bucket ${ctx.bucket} does not exist (check ${ctx.bucketVars})`, { service: ctx.service, code });
  }
  if (MISSING_OBJECT.has(f.code ?? '') || (f.status === 404 && f.code === undefined)) return ERRORS.notFound('object', ctx.key);
  if (f.status === 403 || REFUSED.has(f.code ?? '')) {
    return ERRORS.storageDenied(`${what}: ${ctx.service} refused the request (${code}: ${f.message}); check ${ctx.credentials} and the key's permissions on bucket ${ctx.bucket}`, {
      service: ctx.service,
      code,
    });
  }
  return ERRORS.storageUnavailable(`${what} failed (${code}): ${f.message}`, { service: ctx.service, code });
}

/** The error an aborted upload rejects with (the same name Node's stream helpers use). */
export function abortError(): Error {
  const err = new Error('the upload was aborted');
  err.name = 'AbortError';
  return err;
}

/** True for an abort, whichever layer raised it (Node streams, lib-storage, this module). */
export function isAbortError(err: unknown): boolean {
  return (err as Error | undefined)?.name === 'AbortError';
}

/** OSS and S3 both accept signed links of 1 second to 7 days. */
export function clampLinkSeconds(expiresIn: number): number {
  return Math.min(604_800, Math.max(1, Math.floor(expiresIn)));
}
