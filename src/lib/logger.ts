/**
 * pino JSON logger factory: one line per event, with `component` on every line and secrets,
 * cookies, signatures and signed URLs redacted.
 */
import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'req.headers["wechatpay-signature"]',
  '*.secret',
  '*.apiKey',
  '*.password',
  '*.signature',
  '*.signedUrl',
  '*.codeUrl',
];

export function createLogger(opts: { level: string; component: string }): Logger {
  return pino({
    level: opts.level,
    base: { component: opts.component },
    redact: { paths: REDACT, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
