/**
 * The single place that picks an object-store driver from configuration (`STORAGE_DRIVER`).
 */
import type { Config } from '../config/env.js';
import { AppError } from '../errors/index.js';
import { createLocalStore } from './local.js';
import type { ObjectStore } from './object-store.js';

export type { ObjectInfo, ObjectStore, PutOptions, SignedUrlOptions } from './object-store.js';
export { objectKeys, ARTEFACT_FILES, type ArtefactName } from './keys.js';

/** Driver settings tests and benchmarks may change; production uses the defaults. */
export interface StoreTuning {
  /** Milliseconds since epoch, for the local driver's signed links. @defaultValue Date.now */
  now?: () => number;
  /** Bytes per multipart upload part (OSS and S3). @defaultValue 8 MiB */
  partSize?: number;
}

/**
 * Creates the configured driver: `local` (a directory, links served by the API), `oss` (Alibaba
 * OSS) or `s3` (any S3-compatible store).
 *
 * Async because a remote driver's SDK is loaded only when it is chosen: a process on local
 * storage never loads the AWS SDK or ali-oss.
 */
export async function createObjectStore(
  config: Pick<Config, 'storage' | 'secret' | 'http'>,
  opts: StoreTuning = {},
): Promise<ObjectStore> {
  const { driver, dataDir, oss, s3 } = config.storage;
  const tuning = opts.partSize ? { partSize: opts.partSize } : {};
  if (driver === 'local') {
    return createLocalStore({
      dataDir,
      secret: config.secret,
      publicBaseUrl: config.http.publicBaseUrl,
      ...(opts.now ? { now: opts.now } : {}),
    });
  }
  if (driver === 'oss' && oss) {
    const { createOssStore } = await import('./oss.js');
    return createOssStore({ ...oss, ...tuning });
  }
  if (driver === 's3' && s3) {
    const { createS3Store } = await import('./s3.js');
    return createS3Store({ ...s3, ...tuning });
  }
  // loadConfig fills the driver's settings; a hand-built config without them ends here.
  throw new AppError('storage_driver_unavailable', 500, `STORAGE_DRIVER=${driver} needs its settings (see the README's storage section)`);
}
