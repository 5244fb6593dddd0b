/**
 * A caller of a running service's HTTP API the way a browser is one: it keeps the anonymous
 * account's cookie, uploads two CSV files as a compare job and follows the job's status.
 */
import { expect } from 'vitest';
import type { JobView } from '../../src/contracts/index.js';
import { waitFor } from './service.js';

export interface ApiCaller {
  /** fetch with the account cookie (kept from the first answer that sets it); no redirects followed. */
  req(path: string, init?: RequestInit): Promise<Response>;
  /** POST /api/v1/compare/jobs with two CSV bodies and key `id`; the new job's id. */
  newJob(oldCsv: string, newCsv: string): Promise<string>;
  view(id: string): Promise<JobView>;
  /** Waits until the job shows `status` (throws at once if it fails instead). */
  until(id: string, status: JobView['status'], timeoutMs?: number): Promise<JobView>;
}

export function apiCaller(baseUrl: () => string): ApiCaller {
  let cookie = '';
  const req = async (path: string, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    if (cookie) headers.set('cookie', cookie);
    const res = await fetch(path.startsWith('http') ? path : `${baseUrl()}${path}`, { ...init, headers, redirect: 'manual' });
    const set = res.headers.get('set-cookie');
    if (set) cookie = set.split(';')[0] ?? '';
    return res;
  };
  const view = async (id: string) => (await (await req(`/api/v1/compare/jobs/${id}`)).json()) as JobView;
  return {
    req,
    view,
    async newJob(oldCsv, newCsv) {
      const form = new FormData();
      form.set('file1', new Blob([oldCsv]), 'old.csv');
      form.set('file2', new Blob([newCsv]), 'new.csv');
      form.set('key', 'id');
      const res = await req('/api/v1/compare/jobs', { method: 'POST', body: form });
      expect(res.status).toBe(202);
      return ((await res.json()) as { jobId: string }).jobId;
    },
    until: (id, status, timeoutMs = 60_000) =>
      waitFor(async () => {
        const v = await view(id);
        if (v.status === 'failed' && status !== 'failed') throw new Error(`job ${id} failed: ${JSON.stringify(v.error)}`);
        return v.status === status ? v : undefined;
      }, timeoutMs, `job ${id} ${status}`),
  };
}
