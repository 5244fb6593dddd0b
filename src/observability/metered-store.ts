/**
 * The one decorator that measures an `ObjectStore`: every operation's duration by result, and
 * failures by error code, whatever the driver.
 */
import type { Readable } from 'node:stream';
import { AppError } from '../errors/index.js';
import type { ObjectStore } from '../storage/object-store.js';
import { storageMetrics } from './metrics.js';

/** Error code of a storage failure as a bounded label: the AppError code or the Node errno code. */
export function storageErrorCode(err: unknown): string {
  if (err instanceof AppError) return err.code;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z_]{2,30}$/.test(code) ? code : 'unknown';
}

/**
 * Wraps `store` so each call is timed.
 *
 * A missing object on `get` (`not_found`) is an answer, not an error: it is timed with result
 * `not_found` and not counted in `sheetdiff_storage_errors_total`. `get` is timed until the
 * stream is opened (the body is read by the caller at its own pace).
 */
export function meterObjectStore(store: ObjectStore): ObjectStore {
  const timed = <T>(operation: string, run: () => Promise<T>): Promise<T> => {
    const end = storageMetrics.duration.startTimer({ operation });
    return run().then(
      (v) => {
        end({ result: 'ok' });
        return v;
      },
      (err: unknown) => {
        const code = storageErrorCode(err);
        if (code === 'not_found') end({ result: 'not_found' });
        else {
          end({ result: 'error' });
          storageMetrics.errors.inc({ operation, code });
        }
        throw err;
      },
    );
  };
  const putFile = store.putFile?.bind(store);
  return {
    put: (key, body, opts) => timed('put', () => store.put(key, body, opts)),
    ...(putFile ? { putFile: (key: string, file: string) => timed('put', () => putFile(key, file)) } : {}),
    get: (key): Promise<Readable> => timed('get', () => store.get(key)),
    head: (key) => timed('head', () => store.head(key)),
    delete: (key) => timed('delete', () => store.delete(key)),
    deletePrefix: (prefix) => timed('delete_prefix', () => store.deletePrefix(prefix)),
    signedUrl: (key, opts) => timed('signed_url', () => store.signedUrl(key, opts)),
    ping: () => timed('ping', () => store.ping()),
  };
}
