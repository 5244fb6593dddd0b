/**
 * Browser side of the web app's end-to-end tests: Debian's chromium driven by playwright-core
 * (headless, fresh profile), a build of the web app for the service to serve, screenshots of
 * every step under test-results/e2e/, and a watch on console errors.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const ROOT = new URL('../../', import.meta.url).pathname;
export const CHROMIUM = '/usr/bin/chromium';
export const SHOTS = join(ROOT, 'test-results', 'e2e');
const BUILD_PREFIX = 'sheetdiff-web-build-';

/**
 * Builds the web app into a temporary directory (the tree's own frontend/dist is left alone),
 * once per content of its sources: the e2e files share one build, and a changed source builds
 * anew. Builds of other sources are removed.
 */
export async function buildWebApp(): Promise<string> {
  const hash = createHash('sha256');
  for (const dir of ['frontend/src', 'frontend/public', 'src/contracts']) {
    for (const f of (await readdir(join(ROOT, dir), { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)).sort()) {
      hash.update(f.slice(ROOT.length)).update(await readFile(f));
    }
  }
  for (const f of ['frontend/index.html', 'frontend/vite.config.ts', 'package-lock.json']) hash.update(f).update(await readFile(join(ROOT, f)));
  const name = `${BUILD_PREFIX}${hash.digest('hex').slice(0, 16)}`;
  const out = join(tmpdir(), name);
  if (existsSync(join(out, 'index.html'))) return out;
  const staging = await mkdtemp(join(tmpdir(), 'sheetdiff-web-staging-'));
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '-c', join(ROOT, 'frontend/vite.config.ts'), '--outDir', staging, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`web app build failed:\n${r.stdout}\n${r.stderr}`);
  // Another e2e file may have finished the same build meanwhile: the first rename wins.
  await rename(staging, out).catch(() => rm(staging, { recursive: true, force: true }));
  for (const old of await readdir(tmpdir())) {
    if (old.startsWith(BUILD_PREFIX) && old !== name) await rm(join(tmpdir(), old), { recursive: true, force: true });
  }
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

/** Empties the screenshot folder `name` of test-results/e2e/ (each e2e file has its own). */
export async function freshShots(name: string): Promise<string> {
  const dir = join(SHOTS, name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  return dir;
}

/**
 * Launches chromium with a fresh profile; `locale` sets the browser language, screenshots go to
 * `shots` (a folder from freshShots).
 */
export async function launch(opts: { locale: string; viewport: { width: number; height: number }; shots: string }): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
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
    page.on('console', (msg) => msg.type() === 'error' && isApp(page) && errors.push(`${page.url()}: ${msg.text()} (${msg.location().url})`));
    page.on('pageerror', (err) => isApp(page) && errors.push(`${page.url()}: ${err.message}`));
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  return {
    context,
    errors,
    newPage: async () => context.pages().find((p) => p.url() === 'about:blank') ?? context.newPage(),
    shot: async (page, name) => void (await page.screenshot({ path: join(opts.shots, `${name}.png`), fullPage: true })),
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
