/**
 * Notifications exactly as WeChat Pay sends them, for the test WeChat server: the resource
 * AES-256-GCM encrypted under the API v3 key (associated data = the resource's type), the body
 * signed with the platform key over `timestamp\nnonce\nbody\n`, the signature headers set.
 */
import { createCipheriv, createSign, randomBytes, randomUUID } from 'node:crypto';
import type { WechatTestKeys } from './wechatpay-keys.js';

export interface TestNotification {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** What a test may change to forge or spoil a notification. */
export interface NotificationTampering {
  timestamp?: number;
  nonce?: string;
  serial?: string;
  signWith?: 'platform' | 'merchant';
}

export function signNotification(
  keys: WechatTestKeys,
  n: { url: string; eventType: string; summary: string; originalType: string; payload: unknown; serial: string },
  over: NotificationTampering = {},
): TestNotification {
  const iv = randomBytes(6).toString('hex'); // 12 characters, as WeChat's nonces are
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(keys.apiV3Key, 'utf8'), Buffer.from(iv, 'utf8'));
  cipher.setAAD(Buffer.from(n.originalType, 'utf8'));
  const ct = Buffer.concat([cipher.update(JSON.stringify(n.payload), 'utf8'), cipher.final(), cipher.getAuthTag()]);
  const body = JSON.stringify({
    id: randomUUID(),
    create_time: new Date().toISOString(),
    resource_type: 'encrypt-resource',
    event_type: n.eventType,
    summary: n.summary,
    resource: { original_type: n.originalType, algorithm: 'AEAD_AES_256_GCM', ciphertext: ct.toString('base64'), associated_data: n.originalType, nonce: iv },
  });
  const ts = String(over.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = over.nonce ?? randomBytes(16).toString('hex').toUpperCase();
  const key = over.signWith === 'merchant' ? keys.merchantPrivatePem : keys.platformPrivate;
  return {
    url: n.url,
    body,
    headers: {
      'content-type': 'application/json',
      'wechatpay-timestamp': ts,
      'wechatpay-nonce': nonce,
      'wechatpay-serial': over.serial ?? n.serial,
      'wechatpay-signature': createSign('RSA-SHA256').update(`${ts}\n${nonce}\n${body}\n`).sign(key, 'base64'),
      'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
    },
  };
}
