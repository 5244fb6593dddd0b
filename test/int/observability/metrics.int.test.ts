/**
 * After a real job runs through the API and the three worker processes, `/metrics` on the API and
 * on every worker's metrics port expose the names operators rely on, with bounded labels.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, waitFor, type RunningService } from '../../helpers/service.js';
import { parsePrometheusText, type Exposition } from './prom-text.js';

const OLD_CSV = 'id,name,qty\n1,apple,3\n2,pear,5\n3,plum,7\n';
const NEW_CSV = 'id,name,qty\n1,apple,3\n2,pear,6\n4,kiwi,2\n';

async function scrape(url: string): Promise<Exposition> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return parsePrometheusText(await res.text());
}

describe('metrics after a real job', () => {
  let svc: RunningService;
  let jobId = '';
  beforeAll(async () => {
    svc = await startService();
    const form = new FormData();
    form.set('file1', new Blob([OLD_CSV]), 'old.csv');
    form.set('file2', new Blob([NEW_CSV]), 'new.csv');
    form.set('key', 'id');
    const res = await fetch(`${svc.baseUrl}/api/v1/compare/jobs`, { method: 'POST', body: form });
    expect(res.status).toBe(202);
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    jobId = ((await res.json()) as { jobId: string }).jobId;
    await waitFor(async () => {
      const job = (await (await fetch(`${svc.baseUrl}/api/v1/compare/jobs/${jobId}`, { headers: { cookie } })).json()) as { status: string };
      if (job.status === 'failed') throw new Error('job failed');
      return job.status === 'ready' ? job : undefined;
    }, 60_000, 'job ready');
    const dl = await fetch(`${svc.baseUrl}/api/v1/compare/jobs/${jobId}/export?format=csv`, { headers: { cookie }, redirect: 'manual' });
    expect(dl.status).toBe(302);
  }, 90_000);
  afterAll(async () => svc?.stop());

  it('serves API request, job, stream and storage metrics on the API', async () => {
    // The stream sampler runs every 5 s: wait for a sample that has seen the job's entries.
    const m = await waitFor(async () => {
      const e = await scrape(`${svc.baseUrl}/metrics`);
      return e.sum('sheetdiff_stream_entries_added_total', { stream: 'export' }) >= 1 ? e : undefined;
    }, 20_000, 'a stream sample after the job');
    expect(m.types.get('sheetdiff_http_request_duration_seconds')).toBe('histogram');
    expect(m.sum('sheetdiff_http_request_duration_seconds_count', { method: 'POST', route: '/api/v1/compare/jobs', status_code: '202' })).toBe(1);
    expect(m.sum('sheetdiff_http_request_duration_seconds_count', { route: '/api/v1/compare/jobs/:id/export', status_code: '302' })).toBe(1);
    expect(m.sum('sheetdiff_jobs_created_total', { kind: 'compare' })).toBe(1);
    for (const stream of ['compare', 'payment', 'export']) {
      expect(m.sum('sheetdiff_stream_entries_added_total', { stream })).toBeGreaterThanOrEqual(1);
      for (const name of ['sheetdiff_stream_length', 'sheetdiff_stream_pending', 'sheetdiff_stream_lag', 'sheetdiff_stream_oldest_pending_age_seconds']) {
        expect(m.samples.some((s) => s.name === name && s.labels.stream === stream), `${name}{stream=${stream}}`).toBe(true);
      }
      expect(m.sum('sheetdiff_stream_pending', { stream })).toBe(0);
    }
    expect(m.has('sheetdiff_dead_letters')).toBe(true);
    expect(m.sum('sheetdiff_storage_operation_duration_seconds_count', { operation: 'put', result: 'ok' })).toBeGreaterThanOrEqual(2);
    expect(m.has('process_cpu_seconds_total')).toBe(true);
    // Bounded labels: no job id anywhere in the exposition.
    expect(m.samples.every((s) => !Object.values(s.labels).some((v) => v.includes(jobId)))).toBe(true);
  });

  it('serves job, runtime and storage metrics on every worker', async () => {
    for (const kind of ['compare', 'payment', 'export'] as const) {
      const m = await scrape(`http://127.0.0.1:${svc.metricsPorts.get(kind)}/metrics`);
      expect(m.sum('sheetdiff_jobs_finished_total', { stream: kind, outcome: 'completed' }), kind).toBe(1);
      expect(m.sum('sheetdiff_job_stage_duration_seconds_count', { stream: kind, outcome: 'completed' }), kind).toBe(1);
      for (const name of ['sheetdiff_lock_takeovers_total', 'sheetdiff_fence_rejections_total', 'sheetdiff_leases_lost_total', 'sheetdiff_jobs_in_flight']) {
        expect(m.has(name), `${kind}: ${name}`).toBe(true);
      }
      expect(m.has('sheetdiff_stream_lag'), kind).toBe(true);
      expect(m.samples.every((s) => !Object.values(s.labels).some((v) => v.includes(jobId)))).toBe(true);
    }
    const compare = await scrape(`http://127.0.0.1:${svc.metricsPorts.get('compare')}/metrics`);
    expect(compare.sum('sheetdiff_storage_operation_duration_seconds_count', { operation: 'put', result: 'ok' })).toBeGreaterThanOrEqual(2);
    const exp = await scrape(`http://127.0.0.1:${svc.metricsPorts.get('export')}/metrics`);
    for (const name of ['export_active_tasks', 'export_queued_tasks']) expect(exp.has(name), name).toBe(true);
  });
});
