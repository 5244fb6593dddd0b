/**
 * An S3-compatible server for tests: @20minutes/s3rver in this process, on a free loopback port,
 * with one bucket in a temporary directory. It checks SigV4 signatures of requests and of presigned
 * links (expiry included) and refuses unknown keys; its only credentials are S3RVER / S3RVER.
 *
 * s3rver's SigV4 check is corrected where it departs from S3's rules (s3rver-fixes.ts), so the
 * SDK's valid requests and presigned links pass and everything else is still refused.
 *
 * Known gap: s3rver does not implement AbortMultipartUpload (it answers 405), so the parts of an
 * aborted upload stay in its directory; `pendingUploads()` counts them.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { installS3rverFixes } from './s3rver-fixes.js';

export interface S3TestServer {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Multipart uploads started and neither completed nor aborted. */
  pendingUploads(): Promise<number>;
  close(): Promise<void>;
}

export async function startS3Server(bucket = 'sheetdiff-test'): Promise<S3TestServer> {
  installS3rverFixes();
  const { default: S3rver } = await import('@20minutes/s3rver');
  const directory = await mkdtemp(path.join(tmpdir(), 'sheetdiff-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    region: 'us-east-1',
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    pendingUploads: async () => (await readdir(path.join(directory, bucket, '._S3rver_uploads')).catch(() => [])).length,
    close: async () => {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
