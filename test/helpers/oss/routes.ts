/**
 * The test OSS server's operations on its one bucket (requests are already authenticated).
 * Shapes, status codes and error codes follow the OSS API reference for each operation.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { OssFault } from './auth.js';
import { allTags, blocks, xmlDocument } from './xml.js';

export interface StoredObject {
  body: Buffer;
  contentType: string;
  etag: string;
  lastModified: Date;
}

export interface PendingUpload {
  key: string;
  contentType: string;
  parts: Map<number, { body: Buffer; etag: string }>;
}

export interface Bucket {
  name: string;
  objects: Map<string, StoredObject>;
  uploads: Map<string, PendingUpload>;
  minPartSize: number;
}

export interface Answer {
  status: number;
  body?: Buffer | string;
  headers?: Record<string, string>;
}

const md5 = (b: Buffer) => createHash('md5').update(b).digest();
const etagOf = (b: Buffer) => `"${md5(b).toString('hex').toUpperCase()}"`;
const xml = (root: string, tree: Parameters<typeof xmlDocument>[1]): Answer => ({ status: 200, body: xmlDocument(root, tree), headers: { 'content-type': 'application/xml' } });

/** OSS rejects a body whose Content-MD5 header does not match it. */
function checkMd5(req: IncomingMessage, body: Buffer, required = false): void {
  const given = req.headers['content-md5'];
  if (!given) {
    if (required) throw new OssFault(400, 'MissingArgument', 'Missing Some Required Arguments: Content-MD5.');
    return;
  }
  if (given !== md5(body).toString('base64')) throw new OssFault(400, 'InvalidDigest', 'The Content-MD5 you specified is not valid.');
}

const contentTypeOf = (req: IncomingMessage) => req.headers['content-type'] ?? 'application/octet-stream';

/** Bucket-level operations: ListObjectsV2 and DeleteMultipleObjects. */
export function handleBucket(b: Bucket, method: string, q: Map<string, string>, req: IncomingMessage, body: Buffer): Answer {
  if (method === 'GET' && q.get('list-type') === '2') {
    if (q.has('delimiter')) throw new OssFault(501, 'NotImplemented', 'delimiter is not implemented by this test server.');
    const prefix = q.get('prefix') ?? '';
    const maxKeys = Math.min(1000, Number(q.get('max-keys') ?? 100));
    const after = q.has('continuation-token') ? Buffer.from(q.get('continuation-token')!, 'base64url').toString() : (q.get('start-after') ?? '');
    const keys = [...b.objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
    const page = keys.slice(0, maxKeys);
    const truncated = keys.length > page.length;
    return xml('ListBucketResult', {
      Name: b.name,
      Prefix: prefix,
      MaxKeys: maxKeys,
      IsTruncated: truncated,
      NextContinuationToken: truncated ? Buffer.from(page.at(-1)!).toString('base64url') : undefined,
      KeyCount: page.length,
      Contents: page.map((k) => {
        const o = b.objects.get(k)!;
        return { Key: k, LastModified: o.lastModified.toISOString(), ETag: o.etag, Type: 'Normal', Size: o.body.length, StorageClass: 'Standard' };
      }),
    });
  }
  if (method === 'POST' && q.has('delete')) {
    checkMd5(req, body, true);
    const text = body.toString('utf8');
    const keys = allTags(text, 'Key');
    if (keys.length === 0 || keys.length > 1000) throw new OssFault(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.');
    for (const k of keys) b.objects.delete(k);
    const quiet = allTags(text, 'Quiet')[0] === 'true';
    return xml('DeleteResult', { Deleted: quiet ? undefined : keys.map((k) => ({ Key: k })) });
  }
  throw new OssFault(501, 'NotImplemented', `${method} on the bucket with this query is not implemented by this test server.`);
}

function objectHeaders(o: StoredObject, q: Map<string, string>): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': o.contentType, etag: o.etag, 'last-modified': o.lastModified.toUTCString() };
  // response-* parameters override headers on a signed GET (every request here is signed).
  for (const h of ['content-type', 'content-disposition', 'cache-control', 'expires', 'content-encoding', 'content-language']) {
    const v = q.get(`response-${h}`);
    if (v !== undefined) headers[h] = v;
  }
  return headers;
}

function completeUpload(b: Bucket, key: string, uploadId: string, body: Buffer, now: () => number): Answer {
  const upload = b.uploads.get(uploadId);
  if (!upload || upload.key !== key) throw new OssFault(404, 'NoSuchUpload', 'The specified upload does not exist.', { UploadId: uploadId });
  const listed = blocks(body.toString('utf8'), 'Part').map((p) => ({ number: Number(allTags(p, 'PartNumber')[0]), etag: allTags(p, 'ETag')[0] ?? '' }));
  if (listed.length === 0) throw new OssFault(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.');
  const chosen = listed.map((p, i) => {
    if (i > 0 && p.number <= listed[i - 1]!.number) throw new OssFault(400, 'InvalidPartOrder', 'The list of parts was not in ascending order.');
    const part = upload.parts.get(p.number);
    if (!part || part.etag !== p.etag) throw new OssFault(400, 'InvalidPart', 'One or more of the specified parts could not be found or the specified entity tag might not have matched the part\'s entity tag.', { PartNumber: String(p.number), ETag: p.etag });
    if (i < listed.length - 1 && part.body.length < b.minPartSize) {
      throw new OssFault(400, 'EntityTooSmall', 'Your proposed upload smaller than the minimum allowed size.', { PartNumber: String(p.number), MinSizeAllowed: String(b.minPartSize) });
    }
    return part;
  });
  const whole = Buffer.concat(chosen.map((p) => p.body));
  const etag = `"${md5(Buffer.concat(chosen.map((p) => md5(p.body)))).toString('hex').toUpperCase()}-${chosen.length}"`;
  b.objects.set(key, { body: whole, contentType: upload.contentType, etag, lastModified: new Date(now()) });
  b.uploads.delete(uploadId);
  return xml('CompleteMultipartUploadResult', { Location: `http://${b.name}/${key}`, Bucket: b.name, Key: key, ETag: etag });
}

/** Object-level operations, including the multipart upload ones. */
export function handleObject(b: Bucket, method: string, key: string, q: Map<string, string>, req: IncomingMessage, body: Buffer, now: () => number): Answer {
  const uploadId = q.get('uploadId');
  switch (method) {
    case 'PUT': {
      if (req.headers['x-oss-copy-source']) throw new OssFault(501, 'NotImplemented', 'CopyObject is not implemented by this test server.');
      checkMd5(req, body);
      const etag = etagOf(body);
      if (uploadId !== undefined) {
        const upload = b.uploads.get(uploadId);
        if (!upload || upload.key !== key) throw new OssFault(404, 'NoSuchUpload', 'The specified upload does not exist.', { UploadId: uploadId });
        const n = Number(q.get('partNumber'));
        if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new OssFault(400, 'InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive.');
        upload.parts.set(n, { body, etag });
        return { status: 200, headers: { etag } };
      }
      b.objects.set(key, { body, contentType: contentTypeOf(req), etag, lastModified: new Date(now()) });
      return { status: 200, headers: { etag } };
    }
    case 'POST': {
      if (q.has('uploads')) {
        const id = randomBytes(16).toString('hex').toUpperCase();
        b.uploads.set(id, { key, contentType: contentTypeOf(req), parts: new Map() });
        return xml('InitiateMultipartUploadResult', { Bucket: b.name, Key: key, UploadId: id });
      }
      if (uploadId !== undefined) return completeUpload(b, key, uploadId, body, now);
      throw new OssFault(501, 'NotImplemented', 'This POST is not implemented by this test server.');
    }
    case 'GET':
    case 'HEAD': {
      const o = b.objects.get(key);
      if (!o) throw new OssFault(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
      return { status: 200, body: o.body, headers: objectHeaders(o, q) };
    }
    case 'DELETE': {
      if (uploadId !== undefined) {
        if (!b.uploads.delete(uploadId)) throw new OssFault(404, 'NoSuchUpload', 'The specified upload does not exist.', { UploadId: uploadId });
        return { status: 204 };
      }
      b.objects.delete(key);
      return { status: 204 };
    }
    default:
      throw new OssFault(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
  }
}
