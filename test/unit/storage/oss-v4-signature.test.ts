/**
 * The test OSS server's V4 signature code against known answers published with Alibaba's own SDK
 * (alibabacloud-oss-go-sdk-v2, oss/signer/signer_test.go: TestV4AuthHeader*, TestV4AuthQuery*):
 * same inputs, same signatures, so the server checks signatures as OSS does, not as ali-oss happens
 * to compute them.
 */
import { describe, expect, it } from 'vitest';
import { canonicalQuery, canonicalRequest, canonicalUri, isoBasic, parseQuery, signature, stringToSign, uriEncode } from '../../helpers/oss/v4.js';

// The SDK tests' query: param1=value1, +param1=value3, |param1=value4, +param2, |param2, param2 (empty).
const QUERY: [string, string][] = [
  ['param1', 'value1'],
  ['+param1', 'value3'],
  ['|param1', 'value4'],
  ['+param2', ''],
  ['|param2', ''],
  ['param2', ''],
];
const HEADERS = { 'x-oss-head1': 'value', abc: 'value', ZAbc: 'value', XYZ: 'value' };
const KEY = '1234+-/123/1.txt';

function headerSignature(unix: number, additional: string[]): string {
  const datetime = isoBasic(unix * 1000);
  const headers = { ...HEADERS, 'content-type': 'text/plain', 'x-oss-content-sha256': 'UNSIGNED-PAYLOAD', 'x-oss-date': datetime };
  const canonical = canonicalRequest({ method: 'PUT', bucket: 'bucket', key: KEY, query: QUERY, headers, additional });
  return signature('sk', datetime, 'cn-hangzhou', stringToSign(datetime, 'cn-hangzhou', canonical));
}

function querySignature(unix: number, expires: number, additional: string[]): string {
  const datetime = isoBasic(unix * 1000);
  const query: [string, string][] = [
    ...QUERY,
    ['x-oss-signature-version', 'OSS4-HMAC-SHA256'],
    ['x-oss-date', datetime],
    ['x-oss-expires', String(expires)],
    ['x-oss-credential', `ak/${datetime.slice(0, 8)}/cn-hangzhou/oss/aliyun_v4_request`],
    ...(additional.length ? [['x-oss-additional-headers', additional.join(';')] as [string, string]] : []),
  ];
  const headers = { ...HEADERS, 'content-type': 'application/octet-stream' };
  const canonical = canonicalRequest({ method: 'PUT', bucket: 'bucket', key: KEY, query, headers, additional });
  return signature('sk', datetime, 'cn-hangzhou', stringToSign(datetime, 'cn-hangzhou', canonical));
}

describe('OSS V4 signature (test server)', () => {
  it('matches the SDK known answers for header signatures', () => {
    expect(headerSignature(1702743657, [])).toBe('e21d18daa82167720f9b1047ae7e7f1ce7cb77a31e8203a7d5f4624fa0284afe');
    expect(headerSignature(1702747512, ['abc', 'zabc'])).toBe('4a4183c187c07c8947db7620deb0a6b38d9fbdd34187b6dbaccb316fa251212f');
  });

  it('matches the SDK known answers for URL signatures', () => {
    expect(querySignature(1702781677, 599, [])).toBe('a39966c61718be0d5b14e668088b3fa07601033f6518ac7b523100014269c0fe');
    expect(querySignature(1702783809, 599, ['abc', 'zabc'])).toBe('6bd984bfe531afb6db1f7550983a741b103a8c58e5e14f83ea474c2322dfa2b7');
  });

  it('changes when any signed part changes', () => {
    const base = headerSignature(1702743657, []);
    expect(headerSignature(1702743658, [])).not.toBe(base);
    expect(headerSignature(1702743657, ['abc'])).not.toBe(base);
  });

  it('encodes the URI, the query and empty values as documented', () => {
    expect(canonicalUri('bucket', KEY)).toBe('/bucket/1234%2B-/123/1.txt');
    expect(canonicalQuery(QUERY)).toBe('%2Bparam1=value3&%2Bparam2&%7Cparam1=value4&%7Cparam2&param1=value1&param2');
    expect(uriEncode("a b*'()!~é")).toBe('a%20b%2A%27%28%29%21~%C3%A9');
    expect(parseQuery('uploads&a=1+2&b=%2B&c=')).toEqual([['uploads', ''], ['a', '1 2'], ['b', '+'], ['c', '']]);
  });
});
