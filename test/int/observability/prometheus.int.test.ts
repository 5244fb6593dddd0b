/**
 * A real Prometheus (Debian's `prometheus`) scrapes the running service — API and the three
 * worker processes — with the repository's alert rules loaded: every target is up, the job's
 * metrics arrive, the rules evaluate, and a stopped worker shows as down with its alert pending.
 *
 * Alone: `npm run test:prometheus`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startService, waitFor, type RunningService } from '../../helpers/service.js';

const ROOT = new URL('../../../', import.meta.url).pathname;

interface Vector { metric: Record<string, string>; value: [number, string] }

describe('Prometheus scraping the running service', () => {
  let svc: RunningService;
  let prom: ChildProcess;
  let promUrl = '';
  let dir = '';
  const promLog: string[] = [];

  const query = async (q: string): Promise<Vector[]> => {
    const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
    const body = (await res.json()) as { status: string; data: { result: Vector[] }; error?: string };
    if (body.status !== 'success') throw new Error(`${q}: ${body.error}`);
    return body.data.result;
  };

  beforeAll(async () => {
    svc = await startService();
    dir = await mkdtemp(join(tmpdir(), 'sheetdiff-prometheus-'));
    const api = new globalThis.URL(svc.baseUrl).host;
    const target = (kind: string) => `127.0.0.1:${svc.metricsPorts.get(kind)}`;
    const jobs = [
      ['sheetdiff-api', api],
      ...['compare', 'payment', 'export'].map((k) => [`sheetdiff-worker-${k}`, target(k)]),
    ];
    await writeFile(join(dir, 'alerts.yml'), await readFile(join(ROOT, 'deploy/prometheus/alerts.yml')));
    // The repository's configuration with static targets in place of Docker DNS discovery.
    await writeFile(
      join(dir, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        `rule_files: [${join(dir, 'alerts.yml')}]`,
        'scrape_configs:',
        ...jobs.map(([job, t]) => `  - { job_name: ${job}, static_configs: [{ targets: ['${t}'] }] }`),
      ].join('\n'),
    );
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    prom = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    prom.on('error', (err) => promLog.push(`cannot start prometheus (install the Debian package "prometheus"): ${err.message}`));
    prom.stderr?.on('data', (b: Buffer) => promLog.push(b.toString()));
    await waitFor(async () => ((await fetch(`${promUrl}/-/ready`).then((r) => r.ok, () => false)) ? true : undefined), 30_000, `prometheus ready\n${promLog.join('')}`);
  }, 90_000);

  afterAll(async () => {
    prom?.kill('SIGTERM');
    await svc?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('scrapes every process, receives the job metrics and evaluates the alert rules', async () => {
    const up = await waitFor(async () => {
      const r = await query('up{job=~"sheetdiff-.+"} == 1');
      return r.length === 4 ? r : undefined;
    }, 30_000, 'all four targets up');
    expect(up.map((v) => v.metric.job).sort()).toEqual(['sheetdiff-api', 'sheetdiff-worker-compare', 'sheetdiff-worker-export', 'sheetdiff-worker-payment']);

    const form = new FormData();
    form.set('file1', new Blob(['id,v\n1,a\n2,b\n']), 'old.csv');
    form.set('file2', new Blob(['id,v\n1,a\n2,c\n']), 'new.csv');
    form.set('key', 'id');
    expect((await fetch(`${svc.baseUrl}/api/v1/compare/jobs`, { method: 'POST', body: form })).status).toBe(202);

    // compare, payment (free job) and export stages completed, as Prometheus sees them.
    await waitFor(async () => {
      const r = await query('sum by (stream) (sheetdiff_jobs_finished_total{outcome="completed"})');
      return r.length === 3 && r.every((v) => Number(v.value[1]) === 1) ? r : undefined;
    }, 30_000, 'three completed stages in Prometheus');
    // The API is a separate target scraped on its own schedule: its counter may arrive a scrape later.
    const created = await waitFor(async () => {
      const r = await query('sum(sheetdiff_jobs_created_total{job="sheetdiff-api"})');
      return r.length === 1 ? r : undefined;
    }, 10_000, 'the created job in the API target');
    expect(Number(created[0]!.value[1])).toBe(1);
    const lag = await query('max by (stream) (sheetdiff_stream_lag)');
    expect(lag.map((v) => v.metric.stream).sort()).toEqual(['compare', 'export', 'payment', 'records']);

    const rules = (await (await fetch(`${promUrl}/api/v1/rules`)).json()) as { data: { groups: { rules: { name: string; health: string; lastError?: string }[] }[] } };
    const all = rules.data.groups.flatMap((g) => g.rules);
    expect(all.length).toBeGreaterThanOrEqual(7);
    await waitFor(async () => {
      const r = ((await (await fetch(`${promUrl}/api/v1/rules`)).json()) as typeof rules).data.groups.flatMap((g) => g.rules);
      return r.every((x) => x.health === 'ok') ? r : undefined;
    }, 10_000, `every rule evaluated without error: ${JSON.stringify(all.filter((x) => x.health !== 'ok'))}`);
  }, 90_000);

  it('shows a stopped worker as down and its alerts pending', async () => {
    const payment = svc.procs.get('payment')!;
    await new Promise<void>((ok) => {
      payment.once('exit', () => ok());
      payment.kill('SIGTERM');
    });
    await waitFor(async () => {
      const r = await query('up{job="sheetdiff-worker-payment"} == 0');
      return r.length === 1 ? r : undefined;
    }, 20_000, 'payment worker down in Prometheus');
    const alerts = await waitFor(async () => {
      const body = (await (await fetch(`${promUrl}/api/v1/alerts`)).json()) as { data: { alerts: { labels: Record<string, string>; state: string }[] } };
      const names = body.data.alerts.filter((a) => a.labels.job === 'sheetdiff-worker-payment').map((a) => `${a.labels.alertname}:${a.state}`);
      return names.includes('SheetdiffTargetDown:pending') && names.includes('SheetdiffWorkerDown:pending') ? names : undefined;
    }, 20_000, "TargetDown and WorkerDown pending for the payment worker");
    expect(alerts.length).toBeGreaterThanOrEqual(2);
  }, 60_000);
});
