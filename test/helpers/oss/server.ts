/**
 * A test OSS server: the object API the OSS driver uses, over real HTTP, for one private bucket,
 * with objects in memory. No OSS emulator exists, so this stands in for Alibaba OSS in tests; it
 * checks every request's V4 signature (auth.ts) and answers with OSS's XML shapes and error codes,
 * so the unmodified ali-oss SDK talks to it as it talks to OSS.
 *
 * Implemented: PutObject, GetObject (with response-* overrides on signed requests), HeadObject,
 * DeleteObject, ListObjectsV2, DeleteMultipleObjects, InitiateMultipartUpload, UploadPart,
 * CompleteMultipartUpload, AbortMultipartUpload. The bucket is taken from a virtual-hosted Host
 * header (`<bucket>.…`); a bare IP host (how ali-oss addresses an IP endpoint in links) means the
 * server's bucket. Only UNSIGNED-PAYLOAD bodies are accepted (what the SDK sends).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { authenticate, OssFault } from './auth.js';
import { parseQuery } from './v4.js';
import { handleBucket, handleObject, type Bucket } from './routes.js';
import { errorXml } from './xml.js';

export interface OssTestServerOptions {
  bucket?: string;
  region?: string;
  accessKeyId?: string;
  accessKeySecret?: string;
  /** Server time in milliseconds (checks x-oss-date skew and link expiry). @defaultValue Date.now */
  now?: () => number;
  /** Smallest part accepted before the last one, as OSS enforces. @defaultValue 100 KiB */
  minPartSize?: number;
}

export interface OssTestServer {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  accessKeySecret: string;
  /** The bucket's objects and unfinished multipart uploads, for assertions. */
  state: Bucket;
  /** Every request answered: method, path, query and status. */
  log: { method: string; path: string; query: string; status: number; code?: string }[];
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Starts the server on a free loopback port. */
export async function startOssServer(o: OssTestServerOptions = {}): Promise<OssTestServer> {
  const bucket = o.bucket ?? 'sheetdiff-test';
  const region = o.region ?? 'cn-hangzhou';
  const accessKeyId = o.accessKeyId ?? `LTAI${randomBytes(8).toString('hex')}`;
  const accessKeySecret = o.accessKeySecret ?? randomBytes(15).toString('base64url');
  // Read through Date at each call, so a test that moves the clock moves the server's too.
  const now = o.now ?? (() => Date.now());
  const state: Bucket = { name: bucket, objects: new Map(), uploads: new Map(), minPartSize: o.minPartSize ?? 100 * 1024 };
  const log: OssTestServer['log'] = [];
  const auth = { region, bucket, keys: new Map([[accessKeyId, accessKeySecret]]), now };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const requestId = randomBytes(12).toString('hex').toUpperCase();
    const raw = req.url ?? '/';
    const [pathPart = '/', rawQuery = ''] = raw.split(/\?(.*)/s);
    const method = req.method ?? 'GET';
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    const reply = (status: number, body: Buffer | string = '', headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'x-oss-request-id': requestId, 'content-length': String(Buffer.byteLength(body)), ...headers });
      res.end(method === 'HEAD' ? undefined : body);
      log.push({ method, path: pathPart, query: rawQuery, status });
    };
    try {
      const hostBucket = /^\d{1,3}(\.\d{1,3}){3}$/.test(host) ? bucket : host.split('.')[0];
      if (hostBucket !== bucket) throw new OssFault(404, 'NoSuchBucket', 'The specified bucket does not exist.', { BucketName: hostBucket ?? '' });
      const key = decodeURIComponent(pathPart.slice(1));
      const query = parseQuery(rawQuery);
      authenticate(auth, { method, key, query, req });
      const body = await readBody(req);
      const q = new Map(query);
      const out = key === '' ? handleBucket(state, method, q, req, body) : handleObject(state, method, key, q, req, body, now);
      reply(out.status, out.body ?? '', out.headers ?? {});
    } catch (err) {
      const fault = err instanceof OssFault ? err : new OssFault(500, 'InternalError', (err as Error)?.message ?? String(err));
      const xml = errorXml(fault, requestId, req.headers.host ?? '');
      // OSS repeats the error document (base64) and the EC in headers: all a HEAD answer can carry,
      // and what the SDK reads when it streams a response instead of buffering it.
      const headers: Record<string, string> = { 'content-type': 'application/xml', 'x-oss-err': Buffer.from(xml).toString('base64'), ...(fault.ec ? { 'x-oss-ec': fault.ec } : {}) };
      if (!req.readableEnded) req.resume();
      reply(fault.status, xml, headers);
      log[log.length - 1]!.code = fault.code;
    }
  };

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    region,
    accessKeyId,
    accessKeySecret,
    state,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
