import { createCipheriv, createSign, generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkSignature, decryptResource } from '../../../src/payments/wechat-notify.js';
import { wechatTime } from '../../../src/payments/wechat-provider.js';

const key = randomBytes(16).toString('hex');
function encrypt(plain: string, nonce = 'abcdefghijkl') {
  const c = createCipheriv('aes-256-gcm', Buffer.from(key), Buffer.from(nonce));
  c.setAAD(Buffer.from('transaction'));
  const ct = Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
  return { ciphertext: ct.toString('base64'), associated_data: 'transaction', nonce };
}

describe('decryptResource', () => {
  it('decrypts what WeChat encrypts', () => {
    expect(decryptResource(encrypt('{"a":1}'), key)).toBe('{"a":1}');
  });
  it.each([
    ['a flipped ciphertext byte', (r: ReturnType<typeof encrypt>) => ({ ...r, ciphertext: flip(r.ciphertext, 0) })],
    ['a flipped tag byte', (r: ReturnType<typeof encrypt>) => ({ ...r, ciphertext: flip(r.ciphertext, -1) })],
    ['other associated data', (r: ReturnType<typeof encrypt>) => ({ ...r, associated_data: 'refund' })],
  ])('rejects %s (the tag is checked)', (_what, tamper) => {
    expect(() => decryptResource(tamper(encrypt('{"amount":{"total":250}}')), key)).toThrow();
  });
});

function flip(b64: string, at: number): string {
  const b = Buffer.from(b64, 'base64');
  const i = at < 0 ? b.length + at : at;
  b[i]! ^= 0x80;
  return b.toString('base64');
}

describe('checkSignature', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const now = 1_700_000_000;
  const signed = (body: string, ts = now, nonce = 'N1') => ({
    body,
    headers: {
      'wechatpay-timestamp': String(ts),
      'wechatpay-nonce': nonce,
      'wechatpay-serial': 'ABC',
      'wechatpay-signature': createSign('RSA-SHA256').update(`${ts}\n${nonce}\n${body}\n`).sign(privateKey, 'base64'),
    },
  });
  const keys = new Map([['ABC', publicKey]]);
  it('accepts a valid signature within 5 minutes', () => {
    expect(checkSignature(signed('{}'), keys, now + 300)).toBeNull();
  });
  it('refuses a changed body, an unknown serial, a stale timestamp and missing headers', () => {
    expect(checkSignature({ ...signed('{}'), body: '{ }' }, keys, now)?.message).toContain('does not verify');
    expect(checkSignature(signed('{}'), new Map([['XYZ', publicKey]]), now)?.message).toContain('unknown serial');
    expect(checkSignature(signed('{}'), keys, now + 301)?.message).toContain('5-minute');
    expect(checkSignature({ body: '{}', headers: {} }, keys, now)?.message).toContain('missing');
  });
});

describe('wechatTime', () => {
  it('formats RFC 3339 in Beijing time', () => {
    expect(wechatTime(Date.UTC(2024, 0, 2, 3, 4, 5))).toBe('2024-01-02T11:04:05+08:00');
  });
});
