/**
 * The API serving the built web app: the app's own paths get index.html (with the upload limit
 * filled in), built files are served with cache headers, and nothing of the API is swallowed.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../helpers/app.js';

const INDEX = '<!doctype html><meta name="sheetdiff-max-upload-bytes" content=""><meta name="sheetdiff-profile" content=""><div id="app"></div>';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sheetdiff-web-'));
  await mkdir(join(dir, 'assets'));
  await writeFile(join(dir, 'index.html'), INDEX);
  await writeFile(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
  await writeFile(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('web app serving', () => {
  it('serves index.html at the app paths with the upload limit', async () => {
    const { app } = await buildTestApp({ env: { SERVE_WEB_APP: 'true', WEB_APP_DIR: dir, MAX_UPLOAD_BYTES: '4096' } });
    for (const url of ['/', '/history', '/jobs/abc_123']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.body).toContain('<meta name="sheetdiff-max-upload-bytes" content="4096">');
      expect(res.body).toMatch(/<meta name="sheetdiff-profile" content="(yes|no)">/);
    }
    const asset = await app.inject({ url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await app.inject({ url: '/favicon.svg' })).statusCode).toBe(200);
  });

  it('never answers API paths with the page', async () => {
    const { app } = await buildTestApp({ env: { SERVE_WEB_APP: 'true', WEB_APP_DIR: dir } });
    expect((await app.inject({ url: '/unknown/page' })).statusCode).toBe(404);
    for (const url of ['/api/v1/nope', '/api/', '/compare/jobs/abc', '/files/x', '/dev/pay/x', '/wechatpay/notify', '/metrics', '/unknown/page', '/index.html']) {
      const res = await app.inject({ url });
      expect(res.headers['content-type'] ?? '', url).not.toContain('text/html');
      expect(res.body, url).not.toContain('<div id="app">');
    }
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/docs/json' })).headers['content-type']).toContain('application/json');
  });

  it('explains a missing build, and serves nothing with SERVE_WEB_APP=false', async () => {
    const missing = await buildTestApp({ env: { SERVE_WEB_APP: 'true', WEB_APP_DIR: join(dir, 'nope') } });
    const res = await missing.app.inject({ url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('npm run build');
    const off = await buildTestApp({ env: { SERVE_WEB_APP: 'false', WEB_APP_DIR: dir } });
    expect((await off.app.inject({ url: '/' })).statusCode).toBe(404);
  });
});
