/**
 * HMAC-signed download links for the local driver: the API serves `GET /files/<key>` and checks
 * the signature and expiry before streaming the object.
 *
 * The signature covers `key|exp|name`, so neither the object, the lifetime nor the offered file
 * name can be changed without invalidating the link.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../errors/index.js';

/** The query parameters of a signed link, as received. */
export interface SignedLinkParams {
  key: string;
  exp: string | number;
  name?: string | undefined;
  sig: string;
}

/** Base64url HMAC-SHA256 over `key|exp|name` with the application secret. */
export function signDownload(secret: string, key: string, exp: number, name = ''): string {
  return createHmac('sha256', secret).update(`${key}|${exp}|${name}`).digest('base64url');
}

/** Builds `${publicBaseUrl}/files/<key>?exp=…&name=…&sig=…`. */
export function buildSignedUrl(
  opts: { secret: string; publicBaseUrl: string },
  key: string,
  exp: number,
  name?: string,
): string {
  const q = new URLSearchParams({ exp: String(exp) });
  if (name) q.set('name', name);
  q.set('sig', signDownload(opts.secret, key, exp, name ?? ''));
  const path = key.split('/').map(encodeURIComponent).join('/');
  return `${opts.publicBaseUrl}/files/${path}?${q.toString()}`;
}

/**
 * Throws 403 `invalid_signature` when the link was altered and 410 `link_expired` once `exp`
 * (unix seconds) has passed. The signature is checked first so a forged `exp` is a 403.
 */
export function verifySignedDownload(secret: string, p: SignedLinkParams, nowMs: number): void {
  const exp = Number(p.exp);
  const expected = Buffer.from(signDownload(secret, p.key, exp, p.name ?? ''));
  const given = Buffer.from(String(p.sig));
  if (!Number.isSafeInteger(exp) || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new AppError('invalid_signature', 403, 'the download link is invalid');
  }
  if (exp * 1000 < nowMs) {
    throw new AppError('link_expired', 410, 'the download link has expired; request a new one', false, {
      expiredAt: new Date(exp * 1000).toISOString(),
    });
  }
}
