/**
 * Alibaba Cloud OSS driver (ali-oss). Every request and every download link is signed with OSS's
 * V4 scheme (OSS4-HMAC-SHA256): `authorizationV4: true` makes the SDK sign requests in the
 * Authorization header, and `signatureUrlV4` signs links in the query string. V4 binds the
 * signature to a region and a date, and is the scheme Alibaba recommends over V1 (HMAC-SHA1).
 *
 * Uploads stream: a body is cut into parts of `partSize` bytes (readParts); a body that fits in one
 * part is a single PUT, a larger one a multipart upload with at most `concurrency` parts in flight,
 * so memory stays near (concurrency + 1) × partSize whatever the body's length. A failed or
 * aborted upload is aborted on OSS (AbortMultipartUpload), so no object and no parts remain.
 *
 * @see https://help.aliyun.com/zh/oss/developer-reference/recommend-to-use-signature-version-4
 */
import { addAbortSignal, Readable } from 'node:stream';
import OSS from 'ali-oss';
import { AppError, ERRORS } from '../errors/index.js';
import { contentDisposition } from './content-disposition.js';
import { assertSafeKey } from './local.js';
import { contentTypeOf } from './media-types.js';
import type { ObjectInfo, ObjectStore, PutOptions, SignedUrlOptions } from './object-store.js';
import { readParts } from './parts.js';
import { abortError, clampLinkSeconds, isAbortError, remoteError, type RemoteFailure } from './remote.js';

/** Settings of the OSS driver (from config.storage.oss). */
export interface OssStoreOptions {
  /** Region id, e.g. `cn-hangzhou`; part of every V4 signature. */
  region: string;
  bucket: string;
  /** Endpoint the processes talk to, e.g. `https://oss-cn-hangzhou-internal.aliyuncs.com`. */
  endpoint: string;
  /** Endpoint written into download links (browsers must reach it). @defaultValue endpoint */
  publicEndpoint?: string;
  accessKeyId: string;
  accessKeySecret: string;
  /** Bytes per upload part (OSS accepts 100 KiB to 5 GiB). @defaultValue 8 MiB */
  partSize?: number;
  /** Parts uploaded at once. @defaultValue 2 */
  concurrency?: number;
  /** Per-request timeout in milliseconds. @defaultValue 60000 */
  timeoutMs?: number;
}

/** OSS refuses parts smaller than this (all but the last). */
export const OSS_MIN_PART_SIZE = 100 * 1024;

interface OssError {
  status?: number;
  code?: string;
  name?: string;
  message?: string;
  requestId?: string;
  ecCode?: string;
}

function describe(err: unknown): RemoteFailure {
  const e = (err ?? {}) as OssError;
  const status = typeof e.status === 'number' && e.status > 0 ? e.status : undefined;
  const detail = [e.ecCode ? `EC ${e.ecCode}` : '', e.requestId ? `request id ${e.requestId}` : ''].filter(Boolean).join(', ');
  return { status, code: e.code ?? e.name, message: `${e.message ?? String(err)}${detail ? ` (${detail})` : ''}` };
}

/** Creates the OSS driver. Nothing is contacted until the first call (ping at readiness). */
export function createOssStore(opts: OssStoreOptions): ObjectStore {
  const partSize = Math.max(OSS_MIN_PART_SIZE, opts.partSize ?? 8 * 2 ** 20);
  const concurrency = Math.max(1, opts.concurrency ?? 2);
  const clientFor = (endpoint: string) =>
    new OSS({
      region: `oss-${opts.region}`,
      bucket: opts.bucket,
      endpoint,
      secure: endpoint.startsWith('https:'),
      accessKeyId: opts.accessKeyId,
      accessKeySecret: opts.accessKeySecret,
      authorizationV4: true,
      timeout: opts.timeoutMs ?? 60_000,
    });
  const client = clientFor(opts.endpoint);
  const linkClient = opts.publicEndpoint && opts.publicEndpoint !== opts.endpoint ? clientFor(opts.publicEndpoint) : client;
  const fail = (op: string, key: string, err: unknown) =>
    remoteError({ service: 'OSS', op, key, bucket: opts.bucket, credentials: 'OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET', bucketVars: 'OSS_BUCKET and OSS_REGION' }, describe(err));

  /** Uploads parts with bounded concurrency; on any failure the upload is aborted on OSS. */
  async function multipart(key: string, first: Buffer, rest: AsyncGenerator<Buffer>, mime: string, signal?: AbortSignal) {
    const { uploadId } = await client.initMultipartUpload(key, { mime }).catch((err: unknown) => {
      throw fail('InitiateMultipartUpload', key, err);
    });
    const done: { number: number; etag: string }[] = [];
    const inFlight = new Set<Promise<void>>();
    let failure: unknown;
    let size = 0;
    let number = 0;
    const send = (part: Buffer) => {
      const n = ++number;
      size += part.length;
      const p = client
        .uploadPart(key, uploadId, n, part, 0, part.length)
        .then((r) => void done.push({ number: n, etag: r.etag }))
        .catch((err: unknown) => void (failure ??= fail('UploadPart', key, err)))
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    };
    try {
      send(first);
      for await (const part of rest) {
        if (failure) break;
        send(part);
        if (inFlight.size >= concurrency) await Promise.race(inFlight);
        if (signal?.aborted) throw abortError();
      }
      await Promise.all(inFlight);
      if (failure) throw failure;
      if (signal?.aborted) throw abortError();
      await client.completeMultipartUpload(key, uploadId, done).catch((err: unknown) => {
        throw fail('CompleteMultipartUpload', key, err);
      });
      return size;
    } catch (err) {
      // Parts still in flight cannot be cancelled; let them settle so the abort removes them all.
      await Promise.allSettled([...inFlight]);
      await client.abortMultipartUpload(key, uploadId).catch(() => undefined);
      throw err;
    }
  }

  return {
    async put(key: string, body: Readable | Buffer, putOpts: PutOptions = {}) {
      assertSafeKey(key);
      const { signal } = putOpts;
      if (signal?.aborted) throw abortError();
      const source = Buffer.isBuffer(body) ? Readable.from([body]) : body;
      if (signal) addAbortSignal(signal, source);
      const mime = putOpts.contentType ?? contentTypeOf(key) ?? 'application/octet-stream';
      const parts = readParts(source, partSize);
      try {
        const first = (await parts.next()).value ?? Buffer.alloc(0);
        const second = first.length === partSize ? await parts.next() : { done: true as const, value: undefined };
        if (second.done) {
          if (signal?.aborted) throw abortError();
          await client.put(key, first, { mime }).catch((err: unknown) => {
            throw fail('PutObject', key, err);
          });
          return { size: first.length };
        }
        const rest = (async function* () {
          yield second.value;
          yield* parts;
        })();
        return { size: await multipart(key, first, rest, mime, signal) };
      } catch (err) {
        source.destroy();
        // The body's own failure (an upload over its limit, an abort) is what the caller must see.
        if (err instanceof AppError || isAbortError(err)) throw err;
        throw ERRORS.storageUnavailable(`reading the body for OSS object ${key} failed: ${(err as Error)?.message ?? String(err)}`);
      }
    },

    async get(key: string) {
      assertSafeKey(key);
      try {
        const { stream } = await client.getStream(key);
        return stream as Readable;
      } catch (err) {
        throw fail('GetObject', key, err);
      }
    },

    async head(key: string): Promise<ObjectInfo | null> {
      assertSafeKey(key);
      try {
        const { res } = await client.head(key);
        const h = res.headers as Record<string, string | undefined>;
        const info: ObjectInfo = { size: Number(h['content-length'] ?? 0) };
        if (h['content-type']) info.contentType = h['content-type'];
        if (h['last-modified']) info.lastModified = new Date(h['last-modified']);
        return info;
      } catch (err) {
        const e = fail('HeadObject', key, err);
        if (e.code === 'not_found') return null;
        throw e;
      }
    },

    async delete(key: string) {
      assertSafeKey(key);
      // OSS answers 204 for a missing object too, so deleting twice is not an error.
      await client.delete(key).catch((err: unknown) => {
        throw fail('DeleteObject', key, err);
      });
    },

    async deletePrefix(prefix: string) {
      assertSafeKey(prefix, { prefix: true });
      let token: string | undefined;
      do {
        const page = await client
          .listV2({ prefix, 'max-keys': '1000', ...(token ? { 'continuation-token': token } : {}) })
          .catch((err: unknown) => {
            throw fail('ListObjectsV2', prefix, err);
          });
        const names = (page.objects ?? []).map((o) => o.name);
        if (names.length > 0) {
          await client.deleteMulti(names, { quiet: true }).catch((err: unknown) => {
            throw fail('DeleteMultipleObjects', prefix, err);
          });
        }
        token = page.isTruncated ? page.nextContinuationToken : undefined;
      } while (token);
    },

    async signedUrl(key: string, o: SignedUrlOptions) {
      assertSafeKey(key);
      const disposition = contentDisposition(o.downloadName ?? key.split('/').pop() ?? 'download');
      return linkClient.signatureUrlV4('GET', clampLinkSeconds(o.expiresIn), { headers: {}, queries: { 'response-content-disposition': disposition } }, key);
    },

    async ping() {
      await client.listV2({ 'max-keys': '1' }).catch((err: unknown) => {
        throw fail('ListObjectsV2', '(bucket)', err);
      });
    },
  };
}
