/**
 * How the web app is served, for real: `npm start` builds everything and the API serves the app
 * at `/`; then Debian's nginx runs frontend/nginx.conf (only the upstream, port and root
 * changed) in front of that API, as in production, and a person in Chromium goes through upload
 * → payment → download behind it. Proves the SPA fallback swallows none of /api/, /wechatpay/,
 * /files/ or /dev/.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KeyReportSchema } from '../../src/contracts/inspect.js';
import { readTable } from '../../src/sheets/read-table.js';
import { useTestRedis, type TestRedis } from '../helpers/redis.js';
import { freePort, waitFor } from '../helpers/service.js';
import { freshShots, launch } from './browser.js';
import { productLists } from './data.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const NGINX = '/usr/sbin/nginx';
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** Ends a process group started here (detached), politely first. */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  process.kill(-child.pid!, 'SIGTERM');
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

/** frontend/nginx.conf with the upstream, port and root of this machine, inside a runnable main config. */
async function nginxConfig(dir: string, apiPort: number, port: number): Promise<string> {
  let site = await readFile(join(ROOT, 'frontend/nginx.conf'), 'utf8');
  for (const [from, to] of [
    ['server api:8080;', `server 127.0.0.1:${apiPort};`],
    ['listen 8080;', `listen 127.0.0.1:${port};`],
    ['root /usr/share/nginx/html;', `root ${join(ROOT, 'frontend/dist')};`],
  ]) {
    expect(site.split(from!).length - 1, `nginx.conf holds "${from}" once`).toBe(1);
    site = site.replace(from!, to!);
  }
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${join(dir, t)};`).join('\n  ');
  const main = `${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 256; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log off;
  ${temp}
${site}
}
`;
  const path = join(dir, 'nginx.conf');
  await writeFile(path, main);
  return path;
}

describe('serving the web app', () => {
  it('npm start serves the built app next to the API, and nginx.conf serves it in front of the API', { timeout: 420_000 }, async () => {
    if (!existsSync(NGINX)) throw new Error(`${NGINX} is missing: apt-get install nginx-light (.ci/run does)`);
    const shots = await freshShots('serving');
    const redis: TestRedis = await useTestRedis();
    const dir = await mkdtemp(join(tmpdir(), 'sheetdiff-serving-'));
    cleanups.push(async () => {
      await redis.cleanup();
      await rm(dir, { recursive: true, force: true });
    });
    const [apiPort, webPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
    const api = `http://127.0.0.1:${apiPort}`;
    const web = `http://127.0.0.1:${webPort}`;

    // npm start, as a newcomer runs it: the public address is nginx's, as in production.
    const start = spawn('npm', ['start'], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PORT: String(apiPort), HOST: '127.0.0.1', PUBLIC_BASE_URL: web, REDIS_URL: redis.url, REDIS_PREFIX: redis.prefix, DATA_DIR: join(dir, 'data'), METRICS_PORT: String(metricsPort), LOG_LEVEL: 'warn', FREE_ROWS: '0' },
    });
    const log: string[] = [];
    start.stdout!.on('data', (b: Buffer) => log.push(b.toString()));
    start.stderr!.on('data', (b: Buffer) => log.push(b.toString()));
    cleanups.push(() => stopGroup(start));
    await waitFor(async () => ((await fetch(`${api}/readyz`).catch(() => null))?.ok ? true : undefined), 300_000, `npm start to answer (log: ${log.join('').slice(-2000)})`);

    const page = await fetch(`${api}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const script = /<script type="module" crossorigin src="(\/assets\/index-[\w-]+\.js)"><\/script>/.exec(html)?.[1];
    expect(script, html).toBeDefined();
    expect(html).toMatch(/<meta name="sheetdiff-max-upload-bytes" content="\d+"/);
    const js = await fetch(`${api}${script}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toContain('javascript');
    expect((await fetch(`${api}/jobs/abc`)).headers.get('content-type')).toContain('text/html');
    expect((await fetch(`${api}/api/v1/nope`)).headers.get('content-type')).toContain('application/problem+json');

    // nginx with the shipped configuration in front of that API.
    const nginxDir = join(dir, 'nginx');
    await mkdir(nginxDir);
    const conf = await nginxConfig(nginxDir, apiPort, webPort);
    const check = spawnSync(NGINX, ['-t', '-p', nginxDir, '-e', join(nginxDir, 'error.log'), '-c', conf], { encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
    const nginx = spawn(NGINX, ['-p', nginxDir, '-e', join(nginxDir, 'error.log'), '-c', conf, '-g', 'daemon off;'], { detached: true, stdio: 'ignore' });
    cleanups.push(() => stopGroup(nginx));
    await waitFor(async () => ((await fetch(`${web}/`).catch(() => null))?.ok ? true : undefined), 30_000, 'nginx to answer');

    for (const path of ['/', '/history', '/jobs/abc']) {
      const res = await fetch(`${web}${path}`);
      expect(res.headers.get('content-type'), path).toContain('text/html');
      expect(await res.text()).toContain('<div id="app">');
    }
    expect((await fetch(`${web}${script}`)).headers.get('cache-control')).toContain('immutable');
    // The API's paths reach the API, whatever they answer: never the app's page.
    for (const [method, path] of [['GET', '/api/v1/nope'], ['GET', '/api/v1/compare/jobs/AAAAAAAAAAAAAAAAAAAAAA'], ['POST', '/wechatpay/notify'], ['POST', '/api/v1/wechatpay/notify'], ['GET', '/files/jobs/x/diff.xlsx'], ['GET', '/dev/pay/nope']]) {
      const res = await fetch(`${web}${path}`, { method, ...(method === 'POST' && { body: '{}', headers: { 'content-type': 'application/json' } }) });
      const [direct, body] = [await fetch(`${api}${path}`, { method, ...(method === 'POST' && { body: '{}', headers: { 'content-type': 'application/json' } }) }), await res.text()];
      expect([res.status, res.headers.get('content-type')], `${method} ${path}`).toEqual([direct.status, direct.headers.get('content-type')]);
      expect(body, `${method} ${path}`).not.toContain('<div id="app">');
    }
    const profile = await fetch(`${web}/api/v1/profile`);
    expect(profile.status).toBe(200);
    const form = new FormData();
    form.set('file1', new Blob(['id,v\n1,a\n2,b\n']), 'a.csv');
    const inspect = await fetch(`${web}/api/v1/compare/inspect`, { method: 'POST', body: form });
    expect(KeyReportSchema.parse(await inspect.json()).suggestedKeys).toEqual([['id'], ['v']]);

    // A person behind nginx: upload, live progress (SSE through the proxy), pay on the dev page, download.
    const b = await launch({ locale: 'en-US', viewport: { width: 1280, height: 900 }, shots });
    try {
      const tab = await b.newPage();
      const pair = productLists(400);
      await writeFile(join(dir, 'old.csv'), pair.old);
      await writeFile(join(dir, 'new.csv'), pair.new);
      await tab.goto(web);
      await tab.setInputFiles('#file-old', join(dir, 'old.csv'));
      await tab.setInputFiles('#file-new', join(dir, 'new.csv'));
      await tab.getByRole('button', { name: 'Next: key columns' }).click();
      await tab.locator('[data-testid="key-verdict"]', { hasText: 'id is unique' }).waitFor();
      await tab.getByRole('button', { name: 'Compare', exact: true }).click();
      await tab.locator('[data-testid="pay-link"]').waitFor({ timeout: 60_000 });
      const codeUrl = (await tab.locator('[data-testid="pay-link"]').getAttribute('href'))!;
      expect(codeUrl.startsWith(`${web}/dev/pay/`)).toBe(true);
      const payTab = await b.context.newPage();
      await payTab.goto(codeUrl);
      await payTab.getByRole('button', { name: /^Pay/ }).click();
      await payTab.getByText('Payment sent').waitFor();
      await payTab.close();
      await tab.locator('[data-testid="download-xlsx"]').waitFor({ timeout: 60_000 });
      await b.shot(tab, '01-ready-behind-nginx');
      // The export answers with a signed link on the public (nginx) address, under /files/.
      const href = (await tab.locator('[data-testid="download-xlsx"]').getAttribute('href'))!;
      const redirect = await tab.request.get(`${web}${href}`, { maxRedirects: 0 });
      expect(redirect.status()).toBe(302);
      expect(redirect.headers().location?.startsWith(`${web}/files/`)).toBe(true);
      const [download] = await Promise.all([tab.waitForEvent('download'), tab.locator('[data-testid="download-xlsx"]').click()]);
      await download.saveAs(join(dir, 'diff.xlsx'));
      const diff = await readTable(join(dir, 'diff.xlsx'), 'xlsx', { sheet: 'Diff', maxRows: 10_000 });
      expect(diff.rows).toHaveLength(pair.expected.added + pair.expected.removed + pair.expected.changed);
      expect(b.errors).toEqual([]);
    } finally {
      await b.close();
    }
  });
});
