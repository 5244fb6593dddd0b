/**
 * pino JSON logger factory: one line per event, with `component` on every line and secrets,
 * cookies, signatures and signed URLs redacted.
 *
 * Redaction happens in pino's serializer (fast-redact): listed paths are censored; a URL-like
 * field keeps its path and loses only the values of signing query parameters, so a logged link
 * stays useful for debugging and useless to whoever reads the log.
 */
import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

export const REDACTED = '[redacted]';

/** Fields whose whole value is secret. */
const SECRET_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["wechatpay-signature"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["wechatpay-signature"]',
  'authorization',
  'cookie',
  'secret',
  'password',
  'apiKey',
  'apiV3Key',
  'privateKey',
  'signature',
  'sig',
  'token',
  'codeUrl',
  'signedUrl',
  '*.secret',
  '*.password',
  '*.apiKey',
  '*.apiV3Key',
  '*.privateKey',
  '*.signature',
  '*.sig',
  '*.token',
  '*.codeUrl',
  '*.signedUrl',
];

/** URL fields: kept, with signing query parameters censored. */
const URL_PATHS = ['url', 'location', 'req.url', 'res.headers.location', '*.url', '*.location', '*.downloadUrl'];

const SIGNING_PARAMS = /([?&](?:sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token|x-oss-signature|x-oss-credential|x-oss-security-token|ossaccesskeyid|expires|token|access_token)=)[^&#\s]*/gi;

/** `url` with the values of signing query parameters (sig, X-Amz-Signature, OSS signatures, tokens) replaced. */
export function redactUrl(url: string): string {
  return url.replace(SIGNING_PARAMS, `$1${REDACTED}`);
}

function censor(value: unknown, path: string[]): unknown {
  const last = path[path.length - 1] ?? '';
  if (/^(url|location|downloadUrl)$/.test(last)) return typeof value === 'string' ? redactUrl(value) : value;
  return REDACTED;
}

export function createLogger(opts: { level: string; component: string; destination?: pino.DestinationStream }): Logger {
  const options: pino.LoggerOptions = {
    level: opts.level,
    base: { component: opts.component },
    redact: { paths: [...SECRET_PATHS, ...URL_PATHS], censor },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}
