/**
 * S3-compatible driver (AWS S3, MinIO, Ceph RGW, Cloudflare R2, OSS's S3 API…) on the AWS SDK v3.
 *
 * Uploads stream through lib-storage's `Upload`: a body that fits in one part is a single PUT, a
 * larger one a multipart upload holding at most `concurrency` parts of `partSize` bytes in memory;
 * on failure or abort the multipart upload is aborted. Requests are signed with SigV4; download
 * links are presigned GETs that carry `response-content-disposition`, so the browser saves the
 * file under its name.
 *
 * Checksums are sent only where S3 requires them (`WHEN_REQUIRED`): the SDK's default CRC32
 * trailers on streamed uploads are not understood by many S3-compatible stores.
 */
import { Readable, Transform } from 'node:stream';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type ListObjectsV2CommandOutput,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { AppError, ERRORS } from '../errors/index.js';
import { contentDisposition } from './content-disposition.js';
import { assertSafeKey } from './local.js';
import { contentTypeOf } from './media-types.js';
import type { ObjectInfo, ObjectStore, PutOptions, SignedUrlOptions } from './object-store.js';
import { abortError, clampLinkSeconds, isAbortError, remoteError, type RemoteFailure } from './remote.js';

/** Settings of the S3 driver (from config.storage.s3). */
export interface S3StoreOptions {
  region: string;
  bucket: string;
  /** Endpoint of an S3-compatible store, e.g. `http://minio:9000`; unset = AWS S3. */
  endpoint?: string | undefined;
  /** Endpoint written into download links (browsers must reach it). @defaultValue endpoint */
  publicEndpoint?: string | undefined;
  /** Path-style addressing (`endpoint/bucket/key`), which most self-hosted stores need. */
  forcePathStyle?: boolean;
  accessKeyId: string;
  secretAccessKey: string;
  /** Bytes per upload part (S3's minimum is 5 MiB). @defaultValue 8 MiB */
  partSize?: number;
  /** Parts uploaded at once. @defaultValue 2 */
  concurrency?: number;
}

/** S3 refuses parts smaller than this (all but the last). */
export const S3_MIN_PART_SIZE = 5 * 2 ** 20;

interface SdkError {
  name?: string;
  message?: string;
  Code?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

function describe(err: unknown): RemoteFailure {
  const e = (err ?? {}) as SdkError;
  const status = e.$metadata?.httpStatusCode;
  // A HEAD answer has no body: the SDK names the error after the status ("NotFound", "Forbidden", "403").
  const name = e.Code ?? e.name;
  const named = name && !['Error', 'Unknown', 'UnknownError'].includes(name) && !/^\d+$/.test(name) ? name : e.code;
  const request = e.$metadata?.requestId ? ` (request id ${e.$metadata.requestId})` : '';
  const message = named === undefined && status ? `HTTP ${status} without an error body` : (e.message ?? String(err));
  return { status, code: named, message: `${message}${request}` };
}

/** Creates the S3 driver. Nothing is contacted until the first call (ping at readiness). */
export function createS3Store(opts: S3StoreOptions): ObjectStore {
  const partSize = Math.max(S3_MIN_PART_SIZE, opts.partSize ?? 8 * 2 ** 20);
  const clientFor = (endpoint: string | undefined) =>
    new S3Client({
      region: opts.region,
      ...(endpoint ? { endpoint } : {}),
      forcePathStyle: opts.forcePathStyle ?? false,
      credentials: { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  const client = clientFor(opts.endpoint);
  const linkClient = opts.publicEndpoint && opts.publicEndpoint !== opts.endpoint ? clientFor(opts.publicEndpoint) : client;
  const Bucket = opts.bucket;
  const fail = (op: string, key: string, err: unknown) =>
    remoteError({ service: 'S3', op, key, bucket: Bucket, credentials: 'S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY', bucketVars: 'S3_BUCKET, S3_ENDPOINT and S3_REGION' }, describe(err));

  return {
    async put(key: string, body: Readable | Buffer, putOpts: PutOptions = {}) {
      assertSafeKey(key);
      const { signal } = putOpts;
      if (signal?.aborted) throw abortError();
      let size = 0;
      let bodyError: unknown;
      const source = Buffer.isBuffer(body) ? Readable.from([body]) : body;
      const counted = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          size += chunk.length;
          cb(null, chunk);
        },
      });
      // The SDK reads `counted`; a failure of the caller's stream is remembered and rethrown as is.
      source.on('error', (err) => {
        bodyError ??= err;
        counted.destroy(err);
      });
      source.pipe(counted);
      const controller = new AbortController();
      const onAbort = () => controller.abort();
      signal?.addEventListener('abort', onAbort, { once: true });
      const upload = new Upload({
        client,
        params: { Bucket, Key: key, Body: counted, ContentType: putOpts.contentType ?? contentTypeOf(key) ?? 'application/octet-stream' },
        partSize,
        queueSize: Math.max(1, opts.concurrency ?? 2),
        leavePartsOnError: false,
        abortController: controller,
      });
      try {
        await upload.done();
        return { size };
      } catch (err) {
        source.unpipe(counted);
        source.destroy();
        // Ends the SDK's read of the body too, so nothing keeps waiting on it after an abort.
        counted.destroy();
        if (signal?.aborted) throw abortError();
        if (bodyError instanceof AppError || isAbortError(bodyError)) throw bodyError;
        if (bodyError) throw ERRORS.storageUnavailable(`reading the body for S3 object ${key} failed: ${(bodyError as Error)?.message ?? String(bodyError)}`);
        throw fail('PutObject', key, err);
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    },

    async get(key: string) {
      assertSafeKey(key);
      try {
        const out = await client.send(new GetObjectCommand({ Bucket, Key: key }));
        return out.Body as Readable;
      } catch (err) {
        throw fail('GetObject', key, err);
      }
    },

    async head(key: string): Promise<ObjectInfo | null> {
      assertSafeKey(key);
      try {
        const out = await client.send(new HeadObjectCommand({ Bucket, Key: key }));
        const info: ObjectInfo = { size: out.ContentLength ?? 0 };
        if (out.ContentType) info.contentType = out.ContentType;
        if (out.LastModified) info.lastModified = out.LastModified;
        return info;
      } catch (err) {
        const e = fail('HeadObject', key, err);
        if (e.code === 'not_found') return null;
        throw e;
      }
    },

    async delete(key: string) {
      assertSafeKey(key);
      await client.send(new DeleteObjectCommand({ Bucket, Key: key })).catch((err: unknown) => {
        throw fail('DeleteObject', key, err);
      });
    },

    async deletePrefix(prefix: string) {
      assertSafeKey(prefix, { prefix: true });
      let token: string | undefined;
      do {
        const page: ListObjectsV2CommandOutput = await client
          .send(new ListObjectsV2Command({ Bucket, Prefix: prefix, MaxKeys: 1000, ContinuationToken: token }))
          .catch((err: unknown) => {
            throw fail('ListObjectsV2', prefix, err);
          });
        const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
        if (keys.length > 0) {
          const out = await client.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: keys, Quiet: true } })).catch((err: unknown) => {
            throw fail('DeleteObjects', prefix, err);
          });
          const first = out.Errors?.[0];
          if (first) throw fail('DeleteObjects', first.Key ?? prefix, { name: first.Code, message: first.Message });
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    },

    async signedUrl(key: string, o: SignedUrlOptions) {
      assertSafeKey(key);
      const disposition = contentDisposition(o.downloadName ?? key.split('/').pop() ?? 'download');
      const command = new GetObjectCommand({ Bucket, Key: key, ResponseContentDisposition: disposition });
      return getSignedUrl(linkClient, command, { expiresIn: clampLinkSeconds(o.expiresIn) });
    },

    async ping() {
      await client.send(new ListObjectsV2Command({ Bucket, MaxKeys: 1 })).catch((err: unknown) => {
        throw fail('ListObjectsV2', '(bucket)', err);
      });
    },
  };
}
