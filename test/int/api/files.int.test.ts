import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../../helpers/app.js';

describe('GET /files/* (signed links of the local store)', () => {
  async function setup() {
    const t = await buildTestApp();
    const key = 'jobs/abc/diff.csv';
    await t.store.put(key, Buffer.from('change,key\nadded,1\n'));
    const url = new URL(await t.store.signedUrl(key, { expiresIn: 60, downloadName: '差异-old-vs-new.csv' }));
    return { t, key, path: url.pathname + url.search, url };
  }

  it('streams the file with its length and download name', async () => {
    const { t, path } = await setup();
    const res = await t.app.inject({ url: path });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('change,key\nadded,1\n');
    expect(res.headers['content-length']).toBe('19');
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="__-old-vs-new.csv"; filename*=UTF-8''${encodeURIComponent('差异-old-vs-new.csv')}`,
    );
  });

  it.each([
    ['the signature', (u: URL) => u.searchParams.set('sig', `${u.searchParams.get('sig')!.slice(0, -2)}AA`)],
    ['the expiry', (u: URL) => u.searchParams.set('exp', String(Number(u.searchParams.get('exp')) + 3600))],
    ['the file name', (u: URL) => u.searchParams.set('name', 'other.csv')],
    ['the key', (u: URL) => (u.pathname = '/files/jobs/abd/diff.csv')],
  ])('answers 403 invalid_signature when %s is changed', async (_what, tamper) => {
    const { t, url } = await setup();
    tamper(url);
    const res = await t.app.inject({ url: url.pathname + url.search });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'invalid_signature', status: 403 });
  });

  it('answers 403 without a signature', async () => {
    const { t, key } = await setup();
    expect((await t.app.inject({ url: `/files/${key}` })).statusCode).toBe(403);
  });

  it('answers 410 link_expired after the expiry', async () => {
    const { t, path } = await setup();
    t.clock.advance(61_000);
    const res = await t.app.inject({ url: path });
    expect(res.statusCode).toBe(410);
    expect(res.json().code).toBe('link_expired');
  });

  it('never leaves the objects folder', async () => {
    const { t } = await setup();
    await expect(t.store.put('../escape.txt', Buffer.from('x'))).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(t.store.get('jobs/../../x')).rejects.toMatchObject({ code: 'validation_failed' });
    const res = await t.app.inject({ url: '/files/..%2f..%2fetc%2fpasswd?exp=9999999999&sig=x' });
    expect([403, 404]).toContain(res.statusCode);
  });
});
