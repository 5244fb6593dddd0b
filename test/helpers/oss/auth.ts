/**
 * Authentication of the test OSS server: every request must carry a valid OSS V4 signature, in the
 * Authorization header or in the URL (a presigned link), as OSS requires for a private bucket.
 * Refusals carry OSS's error codes and, where Alibaba documents one, its EC number.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ALGORITHM, canonicalRequest, parseIsoBasic, signature, stringToSign, UNSIGNED_PAYLOAD } from './v4.js';

/** A refusal as OSS words it (HTTP status, Code, Message, extra XML fields). */
export class OssFault extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Record<string, string> = {},
    readonly ec?: string,
  ) {
    super(message);
  }
}

export interface AuthSettings {
  region: string;
  bucket: string;
  /** Known AccessKey pairs (id → secret). */
  keys: Map<string, string>;
  now: () => number;
}

export interface AuthInput {
  method: string;
  key: string;
  /** Decoded query parameters in request order. */
  query: [string, string][];
  req: IncomingMessage;
}

const SKEW_MS = 15 * 60_000;

function headerAuth(value: string) {
  // OSS4-HMAC-SHA256 Credential=…,AdditionalHeaders=…,Signature=…  (spaces after commas allowed)
  const fields = new Map(
    value
      .slice(ALGORITHM.length)
      .split(',')
      .map((f) => f.trim().split('=') as [string, string?])
      .map(([k, v]) => [k, v ?? ''] as const),
  );
  return { credential: fields.get('Credential') ?? '', additional: fields.get('AdditionalHeaders') ?? '', signature: fields.get('Signature') ?? '' };
}

const sameHex = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** Throws an OssFault unless the request is signed with a known key; returns the key id. */
export function authenticate(s: AuthSettings, r: AuthInput): string {
  const headers = r.req.headersDistinct as Record<string, string[]>;
  const authorization = r.req.headers.authorization;
  const q = new Map(r.query);
  const presigned = q.get('x-oss-signature-version');
  let credential: string;
  let additionalRaw: string;
  let provided: string;
  let datetime: string;
  let query = r.query;
  if (authorization) {
    if (!authorization.startsWith(`${ALGORITHM} `)) {
      throw new OssFault(403, 'AccessDenied', 'This test server accepts OSS V4 signatures (OSS4-HMAC-SHA256) only.');
    }
    ({ credential, additional: additionalRaw, signature: provided } = headerAuth(authorization));
    datetime = String(r.req.headers['x-oss-date'] ?? '');
    const sha = r.req.headers['x-oss-content-sha256'];
    if (!sha) throw new OssFault(400, 'InvalidArgument', 'x-oss-content-sha256 is required with a V4 signature.');
    if (sha !== UNSIGNED_PAYLOAD) throw new OssFault(400, 'InvalidArgument', 'This test server supports x-oss-content-sha256: UNSIGNED-PAYLOAD only.');
    const at = parseIsoBasic(datetime);
    if (Number.isNaN(at)) throw new OssFault(403, 'AccessDenied', 'x-oss-date is missing or not an ISO 8601 basic timestamp.');
    if (Math.abs(at - s.now()) > SKEW_MS) {
      throw new OssFault(403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', {
        RequestTime: datetime,
        ServerTime: new Date(s.now()).toISOString(),
      });
    }
  } else if (presigned !== undefined) {
    if (presigned !== ALGORITHM) throw new OssFault(403, 'AccessDenied', 'This test server accepts OSS V4 signatures (OSS4-HMAC-SHA256) only.');
    credential = q.get('x-oss-credential') ?? '';
    additionalRaw = q.get('x-oss-additional-headers') ?? '';
    provided = q.get('x-oss-signature') ?? '';
    datetime = q.get('x-oss-date') ?? '';
    const expiresRaw = q.get('x-oss-expires');
    if (!provided) throw new OssFault(403, 'AccessDenied', 'x-oss-signature is required.', {}, '0002-00000219');
    if (expiresRaw === undefined) throw new OssFault(403, 'AccessDenied', 'x-oss-expires is required.', {}, '0002-00000215');
    const expires = Number(expiresRaw);
    if (!Number.isInteger(expires) || expires < 1 || expires > 604_800) {
      throw new OssFault(400, 'InvalidArgument', 'x-oss-expires must be between 1 and 604800 seconds.', {}, '0002-00000232');
    }
    const at = parseIsoBasic(datetime);
    if (Number.isNaN(at)) throw new OssFault(403, 'AccessDenied', 'x-oss-date is missing or invalid.');
    if (s.now() > at + expires * 1000) {
      throw new OssFault(403, 'AccessDenied', 'Request has expired.', {
        Expires: new Date(at + expires * 1000).toISOString(),
        ServerTime: new Date(s.now()).toISOString(),
      }, '0002-00000236');
    }
    query = r.query.filter(([k]) => k !== 'x-oss-signature');
  } else {
    throw new OssFault(403, 'AccessDenied', 'You have no right to access this object because of bucket acl.');
  }

  const [keyId, date, region, product, terminal] = credential.split('/');
  const secret = s.keys.get(keyId ?? '');
  if (!keyId || secret === undefined) {
    throw new OssFault(403, 'InvalidAccessKeyId', 'The OSS Access Key Id you provided does not exist in our records.', { OSSAccessKeyId: keyId ?? '' });
  }
  if (date !== datetime.slice(0, 8) || region !== s.region || product !== 'oss' || terminal !== 'aliyun_v4_request') {
    throw new OssFault(403, 'SignatureDoesNotMatch', `Invalid credential scope ${credential.slice(keyId.length + 1)}: expected ${datetime.slice(0, 8)}/${s.region}/oss/aliyun_v4_request.`);
  }
  const additional = additionalRaw ? additionalRaw.split(';') : [];
  for (const h of additional) {
    if (headers[h] === undefined) throw new OssFault(400, 'InvalidArgument', `Additional header ${h} is not in the request.`);
  }
  const canonical = canonicalRequest({ method: r.method, bucket: s.bucket, key: r.key, query, headers, additional });
  const toSign = stringToSign(datetime, s.region, canonical);
  if (!sameHex(signature(secret, datetime, s.region, toSign), provided)) {
    throw new OssFault(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      { OSSAccessKeyId: keyId, SignatureProvided: provided, StringToSign: toSign, CanonicalRequest: canonical },
      '0002-00000201',
    );
  }
  return keyId;
}
