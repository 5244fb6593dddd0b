/**
 * Key material for a test WeChat Pay: a merchant key pair, a platform key pair with a self-signed
 * certificate (platform-certificate mode, made with the openssl CLI) and the same key as a
 * "WeChat Pay public key" with an id (public-key mode). Generated per test run, never shipped.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface WechatTestKeys {
  mchid: string;
  appid: string;
  apiV3Key: string;
  merchantSerial: string;
  merchantPrivatePem: string;
  merchantPublic: KeyObject;
  platformPrivate: KeyObject;
  platformCertPem: string;
  platformSerial: string;
  platformPublicPem: string;
  publicKeyId: string;
}

function rsa() {
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

/** A self-signed certificate for `privatePem` (openssl CLI), with a random serial. */
function selfSigned(privatePem: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'wxpay-cert-'));
  try {
    writeFileSync(join(dir, 'key.pem'), privatePem);
    const serial = `0x${randomBytes(16).toString('hex').replace(/^0/, '1')}`;
    execFileSync('openssl', ['req', '-x509', '-new', '-key', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=Tenpay.com Root CA/O=test', '-set_serial', serial], { stdio: 'ignore' });
    return readFileSync(join(dir, 'cert.pem'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let cached: WechatTestKeys | undefined;

/** One set per process (RSA generation is slow on small machines). */
export function wechatTestKeys(): WechatTestKeys {
  if (cached) return cached;
  const merchant = rsa();
  const platform = rsa();
  const platformCertPem = selfSigned(platform.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  cached = {
    mchid: '1900000109',
    appid: 'wxd678efh567hg6787',
    apiV3Key: randomBytes(16).toString('hex'),
    merchantSerial: randomBytes(20).toString('hex').toUpperCase(),
    merchantPrivatePem: merchant.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    merchantPublic: merchant.publicKey,
    platformPrivate: platform.privateKey,
    platformCertPem,
    platformSerial: new X509Certificate(platformCertPem).serialNumber.toUpperCase(),
    platformPublicPem: platform.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    publicKeyId: `PUB_KEY_ID_0119${randomBytes(8).toString('hex').toUpperCase()}`,
  };
  return cached;
}

/** The environment of a service using the test WeChat Pay (`mode` picks how WeChat's signatures are verified). */
export function wechatEnv(keys: WechatTestKeys, baseUrl: string, mode: 'certificate' | 'public-key' = 'certificate'): Record<string, string> {
  return {
    PAYMENT_PROVIDER: 'wechat',
    WECHATPAY_MCHID: keys.mchid,
    WECHATPAY_APPID: keys.appid,
    WECHATPAY_API_V3_KEY: keys.apiV3Key,
    WECHATPAY_SERIAL: keys.merchantSerial,
    WECHATPAY_PRIVATE_KEY: keys.merchantPrivatePem,
    WECHATPAY_BASE_URL: baseUrl,
    ...(mode === 'certificate'
      ? { WECHATPAY_PLATFORM_CERTS: keys.platformCertPem }
      : { WECHATPAY_PUBLIC_KEY: keys.platformPublicPem, WECHATPAY_PUBLIC_KEY_ID: keys.publicKeyId }),
  };
}
