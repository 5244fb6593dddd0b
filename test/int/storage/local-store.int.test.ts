/**
 * The ObjectStore contract for the local driver: files under a temporary DATA_DIR, signed links
 * served by the real API (`GET /files/…`) listening on a free port.
 */
import { createObjectStore } from '../../../src/storage/index.js';
import { buildTestApp } from '../../helpers/app.js';
import { freePort } from '../../helpers/service.js';
import { describeStoreContract } from './store-contract.js';

describeStoreContract('local (directory, links served by the API)', async () => {
  const port = await freePort();
  const t = await buildTestApp({ env: { PUBLIC_BASE_URL: `http://127.0.0.1:${port}` }, autoClose: false });
  await t.app.listen({ port, host: '127.0.0.1' });
  return {
    store: t.store,
    partSize: 256 * 1024,
    wrongSecret: () => createObjectStore({ ...t.config, secret: 'another-secret-of-at-least-32-characters' }),
    secretGuardsOperations: false,
    close: () => t.close(),
  };
});
