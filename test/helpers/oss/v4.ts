/**
 * OSS V4 signatures (OSS4-HMAC-SHA256) computed the way OSS checks them, for the test OSS server.
 *
 * As documented by Alibaba ("Include a V4 signature in the header" / "… in a URL") and implemented
 * by its SDKs (alibabacloud-oss-go-sdk-v2 signer/v4.go):
 *
 *   CanonicalRequest = Verb \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n AdditionalHeaders \n HashedPayload
 *   - CanonicalURI: "/" + bucket + "/" + key, URI-encoded (RFC 3986 unreserved kept), "/" kept;
 *   - CanonicalQuery: every parameter (in a URL, all but x-oss-signature), key and value
 *     URI-encoded, sorted by encoded key, `k=v`, or `k` alone when the value is empty;
 *   - CanonicalHeaders: content-type, content-md5, every x-oss-* header and the listed additional
 *     headers, lower-case names, sorted, `name:trimmed value\n` each;
 *   - AdditionalHeaders: the additional header names, lower-case, sorted, joined by ";";
 *   - HashedPayload: the x-oss-content-sha256 header, or UNSIGNED-PAYLOAD.
 *   StringToSign = "OSS4-HMAC-SHA256" \n x-oss-date \n date/region/oss/aliyun_v4_request \n hex(sha256(CanonicalRequest))
 *   SigningKey = HMAC(HMAC(HMAC(HMAC("aliyun_v4" + secret, date), region), "oss"), "aliyun_v4_request")
 *   Signature = hex(HMAC(SigningKey, StringToSign))
 */
import { createHash, createHmac } from 'node:crypto';

export const ALGORITHM = 'OSS4-HMAC-SHA256';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/** RFC 3986 encoding of UTF-8 bytes: only A-Z a-z 0-9 - . _ ~ (and "/" when kept) stay as they are. */
export function uriEncode(s: string, keepSlash = false): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === '/') ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Decodes one raw query component as a server does ("+" is a space). */
const decodeComponent = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));

/** Parameters of a raw query string, decoded, in order (a parameter without "=" has the value ""). */
export function parseQuery(raw: string): [string, string][] {
  return raw
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const i = p.indexOf('=');
      return i < 0 ? [decodeComponent(p), ''] : [decodeComponent(p.slice(0, i)), decodeComponent(p.slice(i + 1))];
    });
}

export function canonicalUri(bucket: string, key: string): string {
  return uriEncode(`/${bucket}/${key}`, true);
}

export function canonicalQuery(params: [string, string][]): string {
  return params
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => (v === '' ? k : `${k}=${v}`))
    .join('&');
}

const signedByDefault = (name: string) => name === 'content-type' || name === 'content-md5' || name.startsWith('x-oss-');

/** Canonical headers from a request's headers (names any case; repeated values as an array). */
export function canonicalHeaders(headers: Record<string, string | string[] | undefined>, additional: string[]): string {
  const lower = new Map<string, string[]>();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    lower.set(name.toLowerCase(), [...(lower.get(name.toLowerCase()) ?? []), ...(Array.isArray(value) ? value : [value])]);
  }
  return [...lower.keys()]
    .filter((n) => signedByDefault(n) || additional.includes(n))
    .sort()
    .map((n) => `${n}:${lower.get(n)!.map((v) => v.trim()).join(',')}\n`)
    .join('');
}

export interface CanonicalInput {
  method: string;
  bucket: string;
  key: string;
  /** Query parameters, decoded, without x-oss-signature. */
  query: [string, string][];
  headers: Record<string, string | string[] | undefined>;
  /** Additional signed header names, lower-case, sorted. */
  additional: string[];
}

export function canonicalRequest(r: CanonicalInput): string {
  const sha = r.headers['x-oss-content-sha256'];
  const payload = (Array.isArray(sha) ? sha[0] : sha) ?? UNSIGNED_PAYLOAD;
  return [r.method.toUpperCase(), canonicalUri(r.bucket, r.key), canonicalQuery(r.query), canonicalHeaders(r.headers, r.additional), r.additional.join(';'), payload].join('\n');
}

export function scope(date: string, region: string): string {
  return `${date}/${region}/oss/aliyun_v4_request`;
}

export function stringToSign(datetime: string, region: string, canonical: string): string {
  return [ALGORITHM, datetime, scope(datetime.slice(0, 8), region), createHash('sha256').update(canonical).digest('hex')].join('\n');
}

export function signature(secret: string, datetime: string, region: string, toSign: string): string {
  const date = datetime.slice(0, 8);
  let key: Buffer = createHmac('sha256', `aliyun_v4${secret}`).update(date).digest();
  for (const part of [region, 'oss', 'aliyun_v4_request']) key = createHmac('sha256', key).update(part).digest();
  return createHmac('sha256', key).update(toSign).digest('hex');
}

/** `20231216T162057Z` for a time in milliseconds. */
export function isoBasic(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** Milliseconds of a `20231216T162057Z` timestamp, or NaN. */
export function parseIsoBasic(s: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : Number.NaN;
}
