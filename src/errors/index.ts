/**
 * The one error catalogue: every failure a caller or a job can meet has a stable `code`, an HTTP
 * status and a `retryable` flag.
 *
 * HTTP renders these as application/problem+json (api/error-handler.ts); workers branch on
 * `retryable` (terminal errors fail the job with `code` and `message` as its reason, the rest are
 * retried with backoff). Anything thrown that is not an `AppError` counts as retryable.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly httpStatus: number,
    message: string,
    readonly retryable = false,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

const e =
  (code: string, httpStatus: number, retryable = false) =>
  (message: string, details?: Record<string, unknown>) =>
    new AppError(code, httpStatus, message, retryable, details);

export const ERRORS = {
  // Request shape and auth
  validation: e('validation_failed', 400),
  unauthorized: e('unauthorized', 401),
  notFound: (what: string, id?: string) =>
    new AppError('not_found', 404, id ? `${what} ${id} was not found` : `${what} was not found`),
  paymentRequired: e('payment_required', 402),
  conflict: e('conflict', 409),
  gone: e('gone', 410),
  tooLarge: e('payload_too_large', 413),
  unsupportedMedia: e('unsupported_media_type', 415),
  idempotencyMismatch: e('idempotency_key_reused', 422),
  idempotencyInProgress: e('idempotency_in_progress', 409),
  invalidState: e('invalid_state', 409),
  // Payments and balance
  insufficientBalance: e('insufficient_balance', 402),
  paymentProvider: e('payment_provider_error', 502, true),
  // Spreadsheet input (terminal for a job)
  unsupportedFormat: e('unsupported_format', 422),
  passwordProtected: e('password_protected', 422),
  malformedFile: e('malformed_file', 422),
  tooManyRows: e('too_many_rows', 422),
  keyNotFound: e('key_column_not_found', 422),
  columnNotFound: e('column_not_found', 422),
  sheetNotFound: e('sheet_not_found', 422),
  emptySheet: e('empty_sheet', 422),
  tooManyCells: e('too_many_cells', 422),
  zipBomb: e('zip_bomb', 422),
  dtdNotAllowed: e('dtd_not_allowed', 422),
  // Record exports (terminal for the export)
  invalidRecord: e('invalid_record', 422),
  // Infrastructure (retryable)
  redisUnavailable: e('redis_unavailable', 503, true),
  /** The Redis server cannot run the job runtime (too old, or a multi-shard Cluster): src/redis/server-check.ts. */
  redisUnsupported: e('redis_unsupported', 503, true),
  storageUnavailable: e('storage_unavailable', 503, true),
  /** The object store refused our credentials or permissions (wrong key, rotated secret, RAM policy). */
  storageDenied: e('storage_access_denied', 503, true),
  internal: e('internal_error', 500, true),
} as const;

/** True when a job that failed with `err` should be tried again. */
export function isRetryable(err: unknown): boolean {
  return err instanceof AppError ? err.retryable : true;
}

/** The code and human reason recorded on a failed job for any thrown value. */
export function describeError(err: unknown): { code: string; message: string } {
  if (err instanceof AppError) return { code: err.code, message: err.message };
  if (err instanceof Error) return { code: 'internal_error', message: err.message };
  return { code: 'internal_error', message: String(err) };
}
