/**
 * One e2e file's service: the built web app served by a real API with its workers, a folder for
 * the files the browser uploads or downloads, and a screenshot folder; started before the file's
 * tests and stopped after them.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startService, type RunningService } from '../helpers/service.js';
import { buildWebApp, freshShots } from './browser.js';

export interface WebService {
  readonly svc: RunningService;
  /** Screenshot folder of this file (test-results/e2e/<name>). */
  readonly shots: string;
  /** Folder for files the browser reads or saves. */
  readonly files: string;
  /** Writes `body` into the files folder; returns its path. */
  write(name: string, body: string | Buffer): Promise<string>;
}

/** Registers the hooks that start and stop the service of one e2e file. */
export function useWebService(name: string, env: Record<string, string> = {}): WebService {
  let svc: RunningService | undefined;
  let shots = '';
  let files = '';
  beforeAll(async () => {
    shots = await freshShots(name);
    const webDir = await buildWebApp();
    files = await mkdtemp(join(tmpdir(), 'sheetdiff-e2e-files-'));
    svc = await startService({ SERVE_WEB_APP: 'true', WEB_APP_DIR: webDir, FREE_ROWS: '0', ...env }, undefined, { readyTimeoutMs: 150_000 });
  }, 180_000);
  afterAll(async () => {
    await svc?.stop();
    if (files) await rm(files, { recursive: true, force: true });
  });
  return {
    get svc() {
      if (!svc) throw new Error('the service is not started yet');
      return svc;
    },
    get shots() {
      return shots;
    },
    get files() {
      return files;
    },
    async write(file, body) {
      const path = join(files, file);
      await writeFile(path, body);
      return path;
    },
  };
}
