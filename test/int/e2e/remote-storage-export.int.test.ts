/**
 * The record-export pipeline on remote storage: the real API and export-worker processes with
 * STORAGE_DRIVER=s3 against s3rver, and with STORAGE_DRIVER=oss against the test OSS server (both
 * check signatures), started by this test. Batches go from the API to the bucket, the worker reads
 * them back, renders and uploads the file, and the signed link the API hands out downloads it
 * straight from the bucket.
 */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportView } from '../../../src/contracts/exports.js';
import { createApiKey } from '../../../src/services/api-keys.js';
import { readTable } from '../../../src/sheets/read-table.js';
import type { ObjectStore } from '../../../src/storage/object-store.js';
import { createOssStore } from '../../../src/storage/oss.js';
import { createS3Store } from '../../../src/storage/s3.js';
import { startOssServer } from '../../helpers/oss/server.js';
import { startS3Server } from '../../helpers/s3/server.js';
import { startService, waitFor, type RunningService } from '../../helpers/service.js';

const COLUMNS = [
  { name: 'id', type: 'integer' },
  { name: 'customer', type: 'string' },
  { name: 'total', type: 'currency' },
];
const ROWS = 5_000;

interface Bucket {
  env: Record<string, string>;
  endpoint: string;
  /** The query parameter that marks a presigned link of this store. */
  signedBy: [string, string];
  /** A second client of the same bucket, to look at what the processes stored. */
  store: ObjectStore;
  close(): Promise<void>;
}

async function s3Bucket(): Promise<Bucket> {
  const s3 = await startS3Server();
  const creds = { region: s3.region, bucket: s3.bucket, endpoint: s3.endpoint, accessKeyId: s3.accessKeyId };
  return {
    env: { STORAGE_DRIVER: 's3', S3_ENDPOINT: s3.endpoint, S3_REGION: s3.region, S3_BUCKET: s3.bucket, S3_FORCE_PATH_STYLE: 'true', S3_ACCESS_KEY_ID: s3.accessKeyId, S3_SECRET_ACCESS_KEY: s3.secretAccessKey },
    endpoint: s3.endpoint,
    signedBy: ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
    store: createS3Store({ ...creds, forcePathStyle: true, secretAccessKey: s3.secretAccessKey }),
    close: () => s3.close(),
  };
}

async function ossBucket(): Promise<Bucket> {
  const oss = await startOssServer();
  const creds = { region: oss.region, bucket: oss.bucket, endpoint: oss.endpoint, accessKeyId: oss.accessKeyId, accessKeySecret: oss.accessKeySecret };
  return {
    env: { STORAGE_DRIVER: 'oss', OSS_REGION: oss.region, OSS_BUCKET: oss.bucket, OSS_ENDPOINT: oss.endpoint, OSS_ACCESS_KEY_ID: oss.accessKeyId, OSS_ACCESS_KEY_SECRET: oss.accessKeySecret },
    endpoint: oss.endpoint,
    signedBy: ['x-oss-signature-version', 'OSS4-HMAC-SHA256'],
    store: createOssStore(creds),
    close: () => oss.close(),
  };
}

describe.each([
  ['s3 (s3rver)', s3Bucket],
  ['oss (test OSS server)', ossBucket],
])('record export end to end on %s', (_name, startBucket) => {
  let bucket: Bucket;
  let svc: RunningService;
  let auth: Record<string, string>;

  beforeAll(async () => {
    bucket = await startBucket();
    svc = await startService(bucket.env, ['api', 'export']);
    const { key } = await createApiKey({ redis: svc.redis.redis, keys: svc.redis.keys }, { name: 'billing' });
    auth = { authorization: `Bearer ${key}` };
  }, 60_000);
  afterAll(async () => {
    await svc?.stop();
    await bucket?.close();
  });

  const api = (p: string, init: RequestInit = {}) => fetch(`${svc.baseUrl}/api/v1${p}`, { ...init, headers: { ...auth, ...init.headers } });

  async function runExport(format: 'csv' | 'xlsx'): Promise<{ view: ExportView; file: Buffer; res: Response }> {
    const created = await api('/exports', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ format, filename: `订单-${format}`, columns: COLUMNS }) });
    expect(created.status, await created.clone().text()).toBe(201);
    const { exportId } = (await created.json()) as ExportView;
    for (let seq = 0; seq < 2; seq++) {
      const lines = Array.from({ length: ROWS / 2 }, (_, i) => JSON.stringify([seq * (ROWS / 2) + i + 1, `customer ${i}`, (i * 1.25).toFixed(2)])).join('\n');
      const batch = await api(`/exports/${exportId}/records?seq=${seq}`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: lines });
      expect(batch.status, await batch.clone().text()).toBeLessThan(300);
    }
    expect((await api(`/exports/${exportId}/complete`, { method: 'POST' })).status).toBe(202);
    const view = await waitFor(async () => {
      const v = (await (await api(`/exports/${exportId}`)).json()) as ExportView;
      if (v.status === 'FAILED') throw new Error(`export failed: ${JSON.stringify(v.error)}\n${svc.logs.get('export')?.join('')}`);
      return v.status === 'COMPLETED' ? v : undefined;
    }, 60_000, `export ${exportId}`);
    const res = await fetch(view.url!);
    return { view, res, file: Buffer.from(await res.arrayBuffer()) };
  }

  it('exports CSV: the link is a presigned GET on the bucket and downloads the file the API describes', async () => {
    const { view, res, file } = await runExport('csv');
    expect(view).toMatchObject({ status: 'COMPLETED', recordCount: ROWS });
    const link = new URL(view.url!);
    expect(link.origin).toBe(bucket.endpoint);
    expect(link.searchParams.get(bucket.signedBy[0])).toBe(bucket.signedBy[1]);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent('订单-csv.csv')}`);
    expect(file.length).toBe(view.fileSize);
    expect(createHash('sha256').update(file).digest('hex')).toBe(view.sha256);
    const lines = file.toString('utf8').replace(/^\uFEFF/, '').trimEnd().split(/\r?\n/);
    expect(lines).toHaveLength(ROWS + 1);
    expect(lines[0]).toBe('id,customer,total');
    expect(lines[2]).toBe('2,customer 1,1.25');

    // The objects are in the bucket, under the export's prefix.
    expect(await bucket.store.head(`exports/${view.exportId}/export.csv`)).toMatchObject({ size: view.fileSize });
  }, 90_000);

  it('exports XLSX that reads back with every row', async () => {
    const { view, res, file } = await runExport('xlsx');
    expect(res.status).toBe(200);
    expect(createHash('sha256').update(file).digest('hex')).toBe(view.sha256);
    const tmp = path.join(svc.dataDir, 'download.xlsx');
    await writeFile(tmp, file);
    const table = await readTable(tmp, 'xlsx', { maxRows: ROWS + 10 });
    expect(table.header).toEqual(['id', 'customer', 'total']);
    expect(table.rows).toHaveLength(ROWS);
  }, 90_000);
});
