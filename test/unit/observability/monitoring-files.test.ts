/**
 * The monitoring files in deploy/ against the code: the alert rules pass promtool, every PromQL
 * query of the rules and of the Grafana dashboard names only metrics the processes export, and
 * every alert has a runbook entry in docs/operations.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { register } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import '../../../src/exports/metrics.js';
import { collectProcessMetrics } from '../../../src/observability/metrics.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

interface Rule { alert: string; expr: string; annotations?: Record<string, string> }
const rules = (parse(read('deploy/prometheus/alerts.yml')) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);
interface Panel { type: string; title: string; id: number; targets?: { expr: string }[] }
const dashboard = JSON.parse(read('deploy/grafana/dashboards/sheetdiff-job-flow.json')) as { title: string; panels: Panel[] };

/** Every series name the processes can expose (histograms with their _bucket/_count/_sum), plus Prometheus' own `up`. */
function exportedNames(): Set<string> {
  collectProcessMetrics();
  const names = new Set(['up']);
  for (const m of register.getMetricsAsArray()) {
    names.add(m.name);
    if ((m as unknown as { type: string }).type === 'histogram') for (const s of ['_bucket', '_count', '_sum']) names.add(m.name + s);
  }
  return names;
}

const KEYWORDS = new Set(['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'inf', 'nan']);

/** Metric names a PromQL expression selects: identifiers outside label matchers, grouping clauses and ranges that are not functions or keywords. */
export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ');
  const out: string[] = [];
  for (const m of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const after = stripped.slice(m.index! + m[0].length).trimStart();
    if (after.startsWith('(') || KEYWORDS.has(m[0].toLowerCase())) continue;
    out.push(m[0]);
  }
  return out;
}

describe('alert rules', () => {
  it('pass promtool check rules', () => {
    let out: string;
    try {
      out = execFileSync('promtool', ['check', 'rules', join(ROOT, 'deploy/prometheus/alerts.yml')], { encoding: 'utf8' });
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
      if (e.code === 'ENOENT') throw new Error('promtool is missing: install the Debian package "prometheus" (.ci/run does)', { cause: err });
      throw new Error(`promtool check rules failed:\n${e.stdout}${e.stderr}`, { cause: err });
    }
    expect(out).toMatch(new RegExp(`SUCCESS: ${rules.length} rules found`));
  });

  it('pass promtool check config with the scrape configuration', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sheetdiff-prom-'));
    try {
      const cfg = read('deploy/prometheus/prometheus.yml').replace('/etc/prometheus/alerts.yml', join(ROOT, 'deploy/prometheus/alerts.yml'));
      writeFileSync(join(dir, 'prometheus.yml'), cfg);
      const out = execFileSync('promtool', ['check', 'config', join(dir, 'prometheus.yml')], { encoding: 'utf8' });
      expect(out).toContain('SUCCESS');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('cover stream lag, dead letters, error rate, payment notifications and workers down', () => {
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining(['SheetdiffStreamLagGrowing', 'SheetdiffDeadLetters', 'SheetdiffApiErrorRate', 'SheetdiffPaymentNotificationsFailing', 'SheetdiffWorkerDown']),
    );
  });

  it('name only exported metrics', () => {
    const names = exportedNames();
    for (const r of rules) {
      const used = metricNamesIn(r.expr);
      expect(used.length, r.alert).toBeGreaterThan(0);
      for (const n of used) expect(names.has(n), `${r.alert} uses ${n}`).toBe(true);
    }
  });

  it('each have a runbook entry in docs/operations.md that their runbook_url points to', () => {
    const doc = read('docs/operations.md');
    for (const r of rules) {
      expect(doc, `docs/operations.md has no "### ${r.alert}" runbook`).toMatch(new RegExp(`^### ${r.alert}$`, 'm'));
      expect(r.annotations?.runbook_url).toBe(`docs/operations.md#${r.alert.toLowerCase()}`);
    }
  });
});

describe('Grafana dashboard "sheetdiff — job flow"', () => {
  it('is titled for the job flow and has unique panel ids', () => {
    expect(dashboard.title).toBe('sheetdiff — job flow');
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('queries only exported metrics, in every panel', () => {
    const names = exportedNames();
    const queried = dashboard.panels.filter((p) => p.type !== 'row');
    expect(queried.length).toBeGreaterThan(10);
    for (const p of queried) {
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets!) {
        const used = metricNamesIn(t.expr);
        expect(used.length, `${p.title}: ${t.expr}`).toBeGreaterThan(0);
        for (const n of used) expect(names.has(n), `${p.title} uses ${n}`).toBe(true);
      }
    }
  });

  it('shows enqueued vs processed, lag, failures, durations, payments, exports and the API', () => {
    const all = dashboard.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr).join('\n');
    for (const n of ['sheetdiff_stream_entries_added_total', 'sheetdiff_jobs_finished_total', 'sheetdiff_stream_lag', 'sheetdiff_job_failures_total',
      'sheetdiff_job_stage_duration_seconds_bucket', 'sheetdiff_payment_orders_total', 'sheetdiff_payment_notifications_total', 'export_active_tasks',
      'sheetdiff_http_request_duration_seconds_bucket']) expect(all).toContain(n);
  });
});

describe('metricNamesIn', () => {
  it('finds selected metrics and skips functions, labels, groupings and ranges', () => {
    expect(metricNamesIn('histogram_quantile(0.95, sum by (le, route) (rate(a_bucket{x="y{z}"}[5m]))) / b and on(job) up == 0')).toEqual(['a_bucket', 'b', 'up']);
  });
});
