/**
 * Browser side of the web app's end-to-end tests: Debian's chromium driven by playwright-core
 * (headless, fresh profile), a build of the web app for the service to serve, screenshots of
 * every step under test-results/e2e/, and a watch on console errors.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const ROOT = new URL('../../', import.meta.url).pathname;
export const CHROMIUM = '/usr/bin/chromium';
export const SHOTS = join(ROOT, 'test-results', 'e2e');

/** Builds the web app into a temporary directory (the tree's own frontend/dist is left alone). */
export async function buildWebApp(): Promise<string> {
  const out = await mkdtemp(join(tmpdir(), 'sheetdiff-web-'));
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '-c', join(ROOT, 'frontend/vite.config.ts'), '--outDir', out, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`web app build failed:\n${r.stdout}\n${r.stderr}`);
  return out;
}

export interface Browser {
  context: BrowserContext;
  /** Console errors and uncaught page errors seen so far, on every page of the context. */
  errors: string[];
  newPage(): Promise<Page>;
  shot(page: Page, name: string): Promise<void>;
  close(): Promise<void>;
}

/** Launches chromium with a fresh profile; `locale` sets the browser language. */
export async function launch(opts: { locale: string; viewport: { width: number; height: number } }): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
  await mkdir(SHOTS, { recursive: true });
  const profile = await mkdtemp(join(tmpdir(), 'sheetdiff-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    locale: opts.locale,
    viewport: opts.viewport,
    acceptDownloads: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', `--lang=${opts.locale}`],
  });
  const errors: string[] = [];
  // Only the app's pages count: the dev payment page stands in for WeChat's (and its browser
  // asks for a favicon the API does not have).
  const isApp = (page: Page) => !new URL(page.url()).pathname.startsWith('/dev/');
  const watch = (page: Page) => {
    page.on('console', (msg) => msg.type() === 'error' && isApp(page) && errors.push(`${page.url()}: ${msg.text()}`));
    page.on('pageerror', (err) => isApp(page) && errors.push(`${page.url()}: ${err.message}`));
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  return {
    context,
    errors,
    newPage: async () => context.pages().find((p) => p.url() === 'about:blank') ?? context.newPage(),
    shot: async (page, name) => void (await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true })),
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
