/**
 * The single place that picks an object-store driver from configuration.
 */
import type { Config } from '../config/env.js';
import { AppError } from '../errors/index.js';
import { createLocalStore } from './local.js';
import type { ObjectStore } from './object-store.js';

export type { ObjectInfo, ObjectStore, PutOptions, SignedUrlOptions } from './object-store.js';
export { objectKeys, ARTEFACT_FILES, type ArtefactName } from './keys.js';

/**
 * Creates the configured driver.
 *
 * `oss` and `s3` are part of the configuration contract but have no driver yet; asking for one
 * fails at startup with `storage_driver_unavailable` rather than on the first upload.
 */
export function createObjectStore(
  config: Pick<Config, 'storage' | 'secret' | 'http'>,
  opts: { now?: () => number } = {},
): ObjectStore {
  const { driver, dataDir } = config.storage;
  if (driver === 'local') {
    return createLocalStore({
      dataDir,
      secret: config.secret,
      publicBaseUrl: config.http.publicBaseUrl,
      ...(opts.now ? { now: opts.now } : {}),
    });
  }
  throw new AppError(
    'storage_driver_unavailable',
    500,
    `STORAGE_DRIVER=${driver} is not available yet; use STORAGE_DRIVER=local`,
  );
}
