/**
 * Serves the built web app (frontend/dist) at `/`: hashed assets under `/assets/` with a year of
 * caching, and index.html for exactly the app's own paths (`/`, `/history`, `/jobs/{id}`).
 *
 * There is no catch-all fallback, so API paths (`/api/`, `/compare/`, `/files/`, `/dev/`,
 * `/docs`, `/healthz`, …) can never be answered with the page: an unknown path stays a 404
 * problem. The page carries the upload limit (`sheetdiff-max-upload-bytes`) so the browser can
 * refuse an oversized file before sending it, and whether GET /profile exists (`sheetdiff-profile`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** The paths the single-page app routes itself (see frontend/src/router.ts). */
export const WEB_APP_ROUTES = ['/', '/history', '/jobs/:id'] as const;

/** Finds `frontend/dist` above this module (source under src/, build under dist/src/). */
export function defaultWebAppDir(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'frontend', 'dist');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    dir = dirname(dir);
  }
  return resolve('frontend', 'dist');
}

/** index.html with the upload limit and the account service's presence filled in. */
export function renderIndex(html: string, page: { maxUploadBytes: number; profile: boolean }): string {
  return html
    .replace(/(<meta name="sheetdiff-max-upload-bytes" content=")[^"]*(")/, `$1${page.maxUploadBytes}$2`)
    .replace(/(<meta name="sheetdiff-profile" content=")[^"]*(")/, `$1${page.profile ? 'yes' : 'no'}$2`);
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>sheetdiff</title>
<p>The web app is not built. Run <code>npm run build</code> (or <code>npm start</code>), or set SERVE_WEB_APP=false.</p>`;

export default async function webApp(app: FastifyInstance, opts: { dir?: string | undefined }) {
  const dir = resolve(opts.dir ?? defaultWebAppDir());
  const indexPath = join(dir, 'index.html');
  const built = existsSync(indexPath);
  if (!built) app.log.warn({ dir }, 'web app not built; / explains how to build it');
  // Registered after the API routes, so the page can tell the app whether GET /profile exists.
  const profile = app.hasRoute({ method: 'GET', url: '/api/v1/profile' });
  const page = built ? renderIndex(readFileSync(indexPath, 'utf8'), { maxUploadBytes: app.deps.config.http.maxUploadBytes, profile }) : NOT_BUILT;

  for (const url of WEB_APP_ROUTES) {
    app.get(url, { schema: { hide: true } }, async (_request, reply) =>
      reply
        .header('cache-control', 'no-cache')
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'same-origin')
        .type('text/html; charset=utf-8')
        .send(page),
    );
  }
  if (!built) return;
  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    // One route per built file, found at startup: nothing else is matched by the static server.
    wildcard: false,
    index: false,
    cacheControl: false,
    allowedPath: (path) => path !== '/index.html' && !path.startsWith('/.vite/'),
    setHeaders: (res, path) => {
      res.setHeader('cache-control', path.includes(`${join(dir, 'assets')}`) ? 'public, max-age=31536000, immutable' : 'public, max-age=3600');
    },
  });
}
