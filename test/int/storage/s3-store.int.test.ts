/**
 * The ObjectStore contract for the S3 driver, against @20minutes/s3rver (SigV4 checked on every
 * request and presigned link). The store is built by createObjectStore from S3_* variables.
 *
 * s3rver does not implement AbortMultipartUpload, so whether an aborted upload's parts are removed
 * cannot be observed here (the OSS server checks that for the OSS driver); that the object is not
 * created is checked.
 */
import { loadConfig } from '../../../src/config/env.js';
import { createObjectStore } from '../../../src/storage/index.js';
import { S3_MIN_PART_SIZE } from '../../../src/storage/s3.js';
import { startS3Server } from '../../helpers/s3/server.js';
import { describeStoreContract } from './store-contract.js';

describeStoreContract('s3 (s3rver, SigV4)', async () => {
  const srv = await startS3Server();
  const make = (secret: string) =>
    createObjectStore(
      loadConfig({
        STORAGE_DRIVER: 's3',
        S3_ENDPOINT: srv.endpoint,
        S3_REGION: srv.region,
        S3_BUCKET: srv.bucket,
        S3_FORCE_PATH_STYLE: 'true',
        S3_ACCESS_KEY_ID: srv.accessKeyId,
        S3_SECRET_ACCESS_KEY: secret,
      }),
      { partSize: S3_MIN_PART_SIZE },
    );
  return {
    store: await make(srv.secretAccessKey),
    partSize: S3_MIN_PART_SIZE,
    wrongSecret: () => make('not-the-secret'),
    secretGuardsOperations: true,
    close: () => srv.close(),
  };
});
