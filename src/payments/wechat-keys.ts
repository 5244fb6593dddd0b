/**
 * WeChat Pay key material from configuration: PEM text or a file path, read once at start-up.
 *
 * WeChat signs responses and notifications with either a platform certificate (the header
 * `Wechatpay-Serial` is the certificate's serial number) or, in the newer public-key mode, with
 * the WeChat Pay public key (the header is its id, `PUB_KEY_ID_…`). Both become one map
 * serial → public key, which the plugin and our notification verifier share.
 */
import { X509Certificate, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Config } from '../config/env.js';

/** PEM text as is; anything else is a file path. */
export function readPem(value: string): string {
  return value.includes('-----BEGIN ') ? value.replace(/\\n/g, '\n') : readFileSync(value.trim(), 'utf8');
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** serial (upper-case hex) → public key of every certificate in `value` (PEM bundle or comma-separated paths). */
export function platformCertificates(value: string): Map<string, KeyObject> {
  const texts = value.includes('-----BEGIN ') ? [readPem(value)] : value.split(',').map((p) => readPem(p));
  const out = new Map<string, KeyObject>();
  for (const text of texts) {
    for (const pem of text.match(PEM_CERT) ?? []) {
      const cert = new X509Certificate(pem);
      out.set(cert.serialNumber.toUpperCase(), cert.publicKey);
    }
  }
  if (out.size === 0) throw new Error('WECHATPAY_PLATFORM_CERTS holds no certificate');
  return out;
}

export interface WechatKeys {
  mchid: string;
  appid: string;
  serial: string;
  apiV3Key: string;
  privateKey: KeyObject;
  /** Header serial → key that verifies WeChat's signatures (certificates and/or the public key). */
  verifiers: Map<string, KeyObject>;
}

/** Loads and checks every key WECHATPAY_* names; throws with a readable reason. */
export function loadWechatKeys(cfg: Config['payment']['wechat']): WechatKeys {
  const verifiers = cfg.platformCerts ? platformCertificates(cfg.platformCerts) : new Map<string, KeyObject>();
  if (cfg.publicKey && cfg.publicKeyId) verifiers.set(cfg.publicKeyId, createPublicKey(readPem(cfg.publicKey)));
  if (verifiers.size === 0) throw new Error('no WeChat Pay platform certificate or public key configured');
  return {
    mchid: cfg.mchid,
    appid: cfg.appid,
    serial: cfg.serial.toUpperCase(),
    apiV3Key: cfg.apiV3Key,
    privateKey: createPrivateKey(readPem(cfg.privateKey)),
    verifiers,
  };
}

/** Looks a header serial up case-insensitively for hex serials (ids like PUB_KEY_ID_… as they are). */
export function verifierFor(keys: Map<string, KeyObject>, serial: string): KeyObject | undefined {
  return keys.get(serial) ?? keys.get(serial.toUpperCase());
}
