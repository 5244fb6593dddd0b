import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildSignedUrl } from '../../../src/storage/signed-url.js';
import { createLogger, redactUrl } from '../../../src/lib/logger.js';

function capture(level = 'info') {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { log: createLogger({ level, component: 'test', destination }), lines };
}

describe('createLogger', () => {
  it('writes one JSON line per event with component, level and time', () => {
    const { log, lines } = capture();
    log.child({ jobId: 'j1', traceId: 'a'.repeat(32) }).info({ reqId: 'r1' }, 'hello');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ component: 'test', jobId: 'j1', traceId: 'a'.repeat(32), reqId: 'r1', msg: 'hello', level: 30 });
    expect(typeof lines[0]!.time).toBe('string');
  });

  it('honours the configured level', () => {
    const { log, lines } = capture('warn');
    log.info('dropped');
    log.warn('kept');
    expect(lines.map((l) => l.msg)).toEqual(['kept']);
  });

  it('redacts secrets, cookies, signatures and signed URLs wherever they appear', () => {
    const { log, lines } = capture();
    const signed = buildSignedUrl({ secret: 's'.repeat(32), publicBaseUrl: 'https://x.example' }, 'jobs/abc/diff.xlsx', 1_900_000_000, 'diff.xlsx');
    const sig = new URL(signed).searchParams.get('sig')!;
    log.info(
      {
        req: { method: 'GET', url: `/files/jobs/abc/diff.xlsx?exp=1&sig=${sig}`, headers: { authorization: 'Bearer sk_live_SECRET1', cookie: 'sd_account=SECRET2', 'wechatpay-signature': 'SECRET3' } },
        res: { headers: { 'set-cookie': 'sd_account=SECRET4', location: signed } },
        payment: { codeUrl: 'weixin://wxpay/bizpayurl?pr=SECRET5', apiV3Key: 'SECRET6' },
        order: { signature: 'SECRET7', privateKey: '-----BEGIN PRIVATE KEY----- SECRET8' },
        download: { url: `https://bucket.oss.example/a.xlsx?OSSAccessKeyId=AK&Expires=1&Signature=SECRET9` },
        s3: { url: 'https://s3.example/a?X-Amz-Credential=AKIA&X-Amz-Signature=SECRET10' },
        password: 'SECRET11',
      },
      'request with secrets',
    );
    const text = JSON.stringify(lines[0]);
    expect(text).not.toContain(sig);
    for (let i = 1; i <= 11; i++) expect(text).not.toContain(`SECRET${i}`);
    // URL fields keep what helps debugging.
    expect((lines[0]!.req as { url: string }).url).toBe('/files/jobs/abc/diff.xlsx?exp=1&sig=[redacted]');
    expect(text).toContain('https://x.example/files/jobs/abc/diff.xlsx');
    expect((lines[0]!.req as { method: string }).method).toBe('GET');
  });
});

describe('redactUrl', () => {
  it.each([
    ['/files/a?exp=1&name=x.csv&sig=abc', '/files/a?exp=1&name=x.csv&sig=[redacted]'],
    ['https://h/a?X-Amz-Signature=abc&x=1', 'https://h/a?X-Amz-Signature=[redacted]&x=1'],
    ['https://h/a?access_token=abc#f', 'https://h/a?access_token=[redacted]#f'],
    ['https://h/plain?page=2', 'https://h/plain?page=2'],
  ])('%s → %s', (input, out) => expect(redactUrl(input)).toBe(out));
});
