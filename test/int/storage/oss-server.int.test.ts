/**
 * The test OSS server refuses what OSS refuses: requests are signed by the unmodified ali-oss SDK
 * (its own V4 signer), then sent as signed or with one part changed.
 */
import OSS from 'ali-oss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOssServer, type OssTestServer } from '../../helpers/oss/server.js';
import { isoBasic } from '../../helpers/oss/v4.js';
import { allTags } from '../../helpers/oss/xml.js';

let srv: OssTestServer;
let client: OSS;
const clientWith = (secret: string, id = srv.accessKeyId) =>
  new OSS({ region: `oss-${srv.region}`, bucket: srv.bucket, endpoint: srv.endpoint, accessKeyId: id, accessKeySecret: secret, authorizationV4: true });

beforeAll(async () => {
  srv = await startOssServer();
  client = clientWith(srv.accessKeySecret);
});
afterAll(() => srv.close());

/** A PUT of `key` signed by ali-oss's V4 signer, as headers to send with fetch. */
function signedPut(key: string, headers: Record<string, string>, at = Date.now(), signer = client): Record<string, string> {
  const all = { ...headers, 'x-oss-date': isoBasic(at), 'x-oss-content-sha256': 'UNSIGNED-PAYLOAD' };
  const signerWithV4 = signer as unknown as { authorizationV4(method: string, req: object, bucket: string, object: string): string };
  return { ...all, authorization: signerWithV4.authorizationV4('PUT', { headers: all, queries: {} }, srv.bucket, key) };
}

const put = (key: string, headers: Record<string, string>, query = '') =>
  fetch(`${srv.endpoint}/${key}${query}`, { method: 'PUT', headers, body: 'hello' });

async function fault(res: Response) {
  const xml = await res.text();
  const tag = (t: string) => allTags(xml, t)[0];
  return { status: res.status, code: tag('Code'), message: tag('Message'), ec: tag('EC'), requestId: tag('RequestId'), header: res.headers.get('x-oss-request-id'), xml };
}

describe('test OSS server: authentication', () => {
  it('accepts a request as signed, in OSS error shape refuses it with a changed header, query or key', async () => {
    const headers = signedPut('a/ok.csv', { 'content-type': 'text/csv', 'x-oss-meta-owner': 'me' });
    expect((await put('a/ok.csv', headers)).status).toBe(200);
    expect(srv.state.objects.get('a/ok.csv')?.body.toString()).toBe('hello');

    for (const [what, res] of [
      ['content-type', await put('a/ok.csv', { ...headers, 'content-type': 'text/plain' })],
      ['x-oss-meta', await put('a/ok.csv', { ...headers, 'x-oss-meta-owner': 'you' })],
      ['query', await put('a/ok.csv', headers, '?x-oss-traffic-limit=819200')],
      ['key', await put('a/other.csv', headers)],
    ] as const) {
      const f = await fault(res);
      expect(f, what).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch', ec: '0002-00000201' });
      expect(f.requestId).toBe(f.header);
      expect(f.xml).toContain('<StringToSign>OSS4-HMAC-SHA256\n');
    }
  });

  it('refuses an unknown AccessKey id, a V1 signature and an anonymous request', async () => {
    const unknown = signedPut('a/x.csv', {}, Date.now(), clientWith(srv.accessKeySecret, 'LTAIunknown'));
    expect(await fault(await put('a/x.csv', unknown))).toMatchObject({ status: 403, code: 'InvalidAccessKeyId' });
    expect(await fault(await put('a/x.csv', { authorization: `OSS ${srv.accessKeyId}:c2lnbmF0dXJl`, date: new Date().toUTCString() }))).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(await fault(await fetch(`${srv.endpoint}/a/ok.csv`))).toMatchObject({ status: 403, code: 'AccessDenied' });
  });

  it('refuses a request signed more than 15 minutes away from its clock', async () => {
    const old = signedPut('a/x.csv', {}, Date.now() - 16 * 60_000);
    expect(await fault(await put('a/x.csv', old))).toMatchObject({ status: 403, code: 'RequestTimeTooSkewed' });
  });

  it('refuses a link with a changed date, no signature, or a lifetime over 7 days', async () => {
    await client.put('a/link.csv', Buffer.from('x'));
    const url = new URL(await client.signatureUrlV4('GET', 60, { headers: {}, queries: {} }, 'a/link.csv'));
    expect((await fetch(url)).status).toBe(200);
    const moved = new URL(url);
    moved.searchParams.set('x-oss-date', isoBasic(Date.now() + 60_000));
    expect(await fault(await fetch(moved))).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    const unsigned = new URL(url);
    unsigned.searchParams.delete('x-oss-signature');
    expect(await fault(await fetch(unsigned))).toMatchObject({ status: 403, code: 'AccessDenied', ec: '0002-00000219' });
    const week = new URL(await client.signatureUrlV4('GET', 700_000, { headers: {}, queries: {} }, 'a/link.csv'));
    expect(await fault(await fetch(week))).toMatchObject({ status: 400, code: 'InvalidArgument', ec: '0002-00000232' });
  });

  it('answers HEAD refusals with the error in headers only', async () => {
    const res = await fetch(`${srv.endpoint}/a/ok.csv`, { method: 'HEAD' });
    expect(res.status).toBe(403);
    expect(await res.text()).toBe('');
    expect(Buffer.from(res.headers.get('x-oss-err') ?? '', 'base64').toString()).toContain('<Code>AccessDenied</Code>');
  });
});

describe('test OSS server: multipart uploads', () => {
  it('refuses to complete an upload whose non-last part is under the minimum, and aborts it', async () => {
    const { uploadId } = await client.initMultipartUpload('m/small.bin');
    const parts = [];
    for (const n of [1, 2]) parts.push({ number: n, etag: (await client.uploadPart('m/small.bin', uploadId, n, Buffer.alloc(1024, n), 0, 1024)).etag });
    await expect(client.completeMultipartUpload('m/small.bin', uploadId, parts)).rejects.toMatchObject({ status: 400, code: 'EntityTooSmall' });
    expect(srv.state.uploads.has(uploadId)).toBe(true);
    await client.abortMultipartUpload('m/small.bin', uploadId);
    expect(srv.state.uploads.has(uploadId)).toBe(false);
    await expect(client.abortMultipartUpload('m/small.bin', uploadId)).rejects.toMatchObject({ status: 404, code: 'NoSuchUpload' });
    expect(srv.state.objects.has('m/small.bin')).toBe(false);
  });

  it('refuses a part list with a wrong ETag or out of order', async () => {
    const { uploadId } = await client.initMultipartUpload('m/x.bin');
    const big = Buffer.alloc(100 * 1024, 1);
    const e1 = (await client.uploadPart('m/x.bin', uploadId, 1, big, 0, big.length)).etag;
    const e2 = (await client.uploadPart('m/x.bin', uploadId, 2, big, 0, 10)).etag;
    await expect(client.completeMultipartUpload('m/x.bin', uploadId, [{ number: 1, etag: e1 }, { number: 2, etag: '"0"' }])).rejects.toMatchObject({ code: 'InvalidPart' });
    await client.completeMultipartUpload('m/x.bin', uploadId, [{ number: 1, etag: e1 }, { number: 2, etag: e2 }]);
    expect(srv.state.objects.get('m/x.bin')?.body.length).toBe(100 * 1024 + 10);
    expect(srv.state.objects.get('m/x.bin')?.etag).toMatch(/^"[0-9A-F]{32}-2"$/);
  });
});
