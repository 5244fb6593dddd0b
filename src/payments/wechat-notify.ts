/**
 * Verifies and decrypts a WeChat Pay API v3 notification with node:crypto alone.
 *
 * Order of checks (each failure refuses the notification before anything is read from it):
 * headers present → serial known → timestamp within 5 minutes → RSA-SHA256 signature over
 * `timestamp\nnonce\nbody\n` → nonce not seen before (Redis SET NX with a TTL, done by the caller
 * through `claimNonce`) → AES-256-GCM decryption with the API v3 key, the 16-byte tag checked by
 * `final()`. Matching the decrypted transaction against our order is the caller's job.
 */
import { createDecipheriv, createVerify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { verifierFor } from './wechat-keys.js';

/** Largest accepted difference between WeChat's timestamp and our clock. */
export const MAX_CLOCK_SKEW_SECONDS = 300;

const ResourceSchema = z.object({
  algorithm: z.literal('AEAD_AES_256_GCM'),
  ciphertext: z.string().min(1),
  associated_data: z.string().optional().default(''),
  nonce: z.string().length(12),
  original_type: z.string().optional(),
});
const NotificationSchema = z.object({
  id: z.string(),
  create_time: z.string().optional(),
  event_type: z.string(),
  resource_type: z.string().optional(),
  resource: ResourceSchema,
  summary: z.string().optional(),
});

/** The decrypted resource of a `TRANSACTION.*` notification (the fields we check). */
export const WechatTransactionSchema = z.looseObject({
  mchid: z.string(),
  appid: z.string(),
  out_trade_no: z.string(),
  transaction_id: z.string().optional(),
  trade_state: z.string(),
  amount: z.looseObject({ total: z.number().int(), currency: z.string().optional().default('CNY') }),
});
export type WechatTransaction = z.infer<typeof WechatTransactionSchema>;

/** The decrypted resource of a `REFUND.*` notification (SUCCESS, ABNORMAL, CLOSED). */
export const WechatRefundSchema = z.looseObject({
  mchid: z.string(),
  out_trade_no: z.string(),
  out_refund_no: z.string(),
  refund_id: z.string().optional(),
  refund_status: z.enum(['SUCCESS', 'CLOSED', 'ABNORMAL', 'PROCESSING']),
  success_time: z.string().optional(),
  amount: z.looseObject({ total: z.number().int(), refund: z.number().int() }),
});
export type WechatRefund = z.infer<typeof WechatRefundSchema>;

export type VerifyResult =
  | { ok: true; eventType: string; notificationId: string; resource: unknown }
  | { ok: false; status: 400 | 401 | 500; code: string; message: string };

export interface NotifyRequest {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface VerifyOptions {
  verifiers: Map<string, KeyObject>;
  apiV3Key: string;
  nowSeconds: number;
  /** Records the nonce; resolves false when it was already seen (a replay). */
  claimNonce(nonce: string): Promise<boolean>;
}

const header = (h: NotifyRequest['headers'], name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};
const refuse = (status: 400 | 401 | 500, code: string, message: string): VerifyResult => ({ ok: false, status, code, message });

/** Checks the signature headers of a response or notification body; null when valid, else the reason. */
export function checkSignature(
  req: NotifyRequest,
  verifiers: Map<string, KeyObject>,
  nowSeconds: number,
): { code: string; message: string } | null {
  const ts = header(req.headers, 'wechatpay-timestamp');
  const nonce = header(req.headers, 'wechatpay-nonce');
  const serial = header(req.headers, 'wechatpay-serial');
  const signature = header(req.headers, 'wechatpay-signature');
  if (!ts || !nonce || !serial || !signature) return { code: 'SIGN_ERROR', message: 'signature headers missing' };
  const type = header(req.headers, 'wechatpay-signature-type');
  if (type && type !== 'WECHATPAY2-SHA256-RSA2048') return { code: 'SIGN_ERROR', message: `unsupported signature type ${type}` };
  const key = verifierFor(verifiers, serial);
  if (!key) return { code: 'SIGN_ERROR', message: `unknown serial ${serial}` };
  if (!/^[0-9]{1,12}$/.test(ts) || Math.abs(nowSeconds - Number(ts)) > MAX_CLOCK_SKEW_SECONDS) {
    return { code: 'SIGN_ERROR', message: 'timestamp outside the 5-minute window' };
  }
  const ok = createVerify('RSA-SHA256').update(`${ts}\n${nonce}\n${req.body}\n`).verify(key, signature, 'base64');
  return ok ? null : { code: 'SIGN_ERROR', message: 'signature does not verify' };
}

/** AES-256-GCM as WeChat uses it: key = API v3 key, iv = resource.nonce, tag = the last 16 bytes. */
export function decryptResource(r: { ciphertext: string; associated_data: string; nonce: string }, apiV3Key: string): string {
  const data = Buffer.from(r.ciphertext, 'base64');
  if (data.length <= 16) throw new Error('ciphertext too short');
  const decipher = createDecipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(r.nonce, 'utf8'));
  decipher.setAAD(Buffer.from(r.associated_data, 'utf8'));
  decipher.setAuthTag(data.subarray(data.length - 16));
  // final() is what checks the tag: without it a tampered ciphertext would decrypt to garbage.
  return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString('utf8');
}

/** Verifies, replay-checks and decrypts one notification. */
export async function verifyNotification(req: NotifyRequest, opts: VerifyOptions): Promise<VerifyResult> {
  const bad = checkSignature(req, opts.verifiers, opts.nowSeconds);
  if (bad) return refuse(401, bad.code, bad.message);
  let parsed: z.infer<typeof NotificationSchema>;
  try {
    parsed = NotificationSchema.parse(JSON.parse(req.body));
  } catch {
    return refuse(400, 'PARAM_ERROR', 'not a WeChat Pay notification body');
  }
  if (!(await opts.claimNonce(header(req.headers, 'wechatpay-nonce')!))) {
    return refuse(401, 'SIGN_ERROR', 'nonce already used (replay)');
  }
  let plain: string;
  try {
    plain = decryptResource(parsed.resource, opts.apiV3Key);
  } catch {
    return refuse(400, 'DECRYPT_ERROR', 'resource does not decrypt (authentication tag mismatch)');
  }
  try {
    return { ok: true, eventType: parsed.event_type, notificationId: parsed.id, resource: JSON.parse(plain) };
  } catch {
    return refuse(400, 'PARAM_ERROR', 'decrypted resource is not JSON');
  }
}
