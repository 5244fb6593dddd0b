/**
 * The ObjectStore contract for the OSS driver, against the test OSS server (V4 signatures checked
 * on every request and link). The store is built by createObjectStore from OSS_* variables, as in
 * production; only the part size is smaller, so a multipart upload stays small.
 */
import { loadConfig } from '../../../src/config/env.js';
import { createObjectStore } from '../../../src/storage/index.js';
import { startOssServer } from '../../helpers/oss/server.js';
import { describeStoreContract } from './store-contract.js';

describeStoreContract('oss (test OSS server, V4 signatures)', async () => {
  const srv = await startOssServer();
  const partSize = 128 * 1024;
  const make = (secret: string) =>
    createObjectStore(
      loadConfig({
        STORAGE_DRIVER: 'oss',
        OSS_REGION: srv.region,
        OSS_BUCKET: srv.bucket,
        OSS_ENDPOINT: srv.endpoint,
        OSS_ACCESS_KEY_ID: srv.accessKeyId,
        OSS_ACCESS_KEY_SECRET: secret,
      }),
      { partSize },
    );
  return {
    store: await make(srv.accessKeySecret),
    partSize,
    wrongSecret: () => make(`${srv.accessKeySecret}x`),
    secretGuardsOperations: true,
    pendingUploads: async () => srv.state.uploads.size,
    close: () => srv.close(),
  };
});
