/**
 * `npm run bench:export`: record exports through the real API and export-worker processes.
 *
 * For 100k, 800k and 2M records × 10 columns (the shared generator's table) and each format, a
 * client opens an export, streams the records as NDJSON batches of 100k, completes it and
 * polls until COMPLETED. Worker records/s = records / (COMPLETED − claim), from the export's
 * own timestamps; peak RSS of the API and of the worker = VmHWM of each process, which is
 * restarted for every run (so each figure is that run's peak). Both run as deployed: compiled file
 * by file like dist/ (buildLikeDist), with the environment of src/config/node-options.ts (NODE_OPTIONS, MALLOC_ARENA_MAX). Medians of `--reps`. Beside them
 * the anchors from ../shared/bench in the same run: exceljs's streaming WorkbookWriter and
 * XlsxWriter constant_memory (up to --anchor-max rows; one Excel sheet holds 1,048,576 rows).
 * Then `--concurrent` (12) exports of 100k records at once, each file re-read and its row count
 * and sha256 checked against the API's figures.
 *
 * Flags: --sizes 100000,800000,2000000 --reps 3 --formats xlsx,csv --concurrent 12
 *        --anchor-max 800000, --api-args=… / --worker-args=… (extra node options, e.g. --cpu-prof),
 *        --node <path> (the node binary of the API and worker processes; default: `node` on PATH,
 *        e.g. a Node 24 build to measure the production runtime).
 *        REDIS_URL picks the Redis (a fresh key prefix is used and removed).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { streamingEnv } from '../../src/config/node-options.js';
import { createApiKey } from '../../src/services/api-keys.js';
import { createKeys } from '../../src/redis/keys.js';
import { readTable } from '../../src/sheets/read-table.js';
import { ANCHORS, buildLikeDist, fmt, measure, median, pythonWith, ROOT } from '../lib/measure.js';
// @ts-expect-error plain ESM module of the shared bench, no types
import { baseRows, DATE_COL, dayIso, HEADER } from '../../../shared/bench/lib/gen-core.mjs';

const { values: flags } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100000,800000,2000000' },
    reps: { type: 'string', default: '3' },
    formats: { type: 'string', default: 'xlsx,csv' },
    concurrent: { type: 'string', default: '12' },
    'anchor-max': { type: 'string', default: '800000' },
    'api-args': { type: 'string', default: '' },
    'worker-args': { type: 'string', default: '' },
    node: { type: 'string', default: 'node' },
  },
});
const SIZES = flags.sizes.split(',').map(Number);
const REPS = Number(flags.reps);
const FORMATS = flags.formats.split(',') as ('xlsx' | 'csv')[];
const NODE = flags.node;
const NODE_VERSION = spawnSync(NODE, ['--version'], { encoding: 'utf8' }).stdout.trim().replace(/^v/, '');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const BATCH = 100_000;
const TYPES = ['integer', 'integer', 'currency', 'number', 'string', 'string', 'string', 'date', 'boolean', 'string'];
const COLUMNS = (HEADER as string[]).map((name, i) => ({ name, type: TYPES[i] }));

const build = await buildLikeDist(['src', 'workers'], path.join(ROOT, 'node_modules/.cache/sheetdiff-bench/dist'));
const apiJs = path.join(build, 'src/api/main.js');
const workerJs = path.join(build, 'workers/export/main.js');
const dataDir = mkdtempSync(path.join(tmpdir(), 'sd-bench-export-'));
const prefix = `bench:${randomUUID().slice(0, 8)}:sd:`;
const redis = new Redis(REDIS_URL);
const { key } = await createApiKey({ redis, keys: createKeys(prefix) }, { name: 'bench' });
const auth = { authorization: `Bearer ${key}` };
const PORT = 18_000 + Math.floor(Math.random() * 2000);
const BASE = `http://127.0.0.1:${PORT}/api/v1`;
// The API and the worker run with the V8 options and malloc setting they are deployed with (src/config/node-options.ts).
const env = { ...process.env, ...streamingEnv(process.env), REDIS_URL, REDIS_PREFIX: prefix, DATA_DIR: dataDir, PORT: String(PORT), HOST: '127.0.0.1', PUBLIC_BASE_URL: `http://127.0.0.1:${PORT}`, LOG_LEVEL: 'warn', SERVE_WEB_APP: 'false', METRICS_PORT: String(PORT + 1), EXPORT_CONCURRENCY: '12', STREAM_BLOCK_MS: '200' };

const peakMb = (p: ChildProcess): number => {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${p.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return NaN;
  }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startProcs(): Promise<{ api: ChildProcess; worker: ChildProcess; stop(): Promise<void> }> {
  const args = (s: string): string[] => s.split(' ').filter(Boolean);
  const api = spawn(NODE, [...args(flags['api-args']), apiJs], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const worker = spawn(NODE, [...args(flags['worker-args']), workerJs], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; i < 200; i++) {
    if ((await fetch(`http://127.0.0.1:${PORT}/readyz`).catch(() => null))?.ok) break;
    await sleep(100);
  }
  await sleep(500); // the worker creates its group
  const stop = async () => {
    for (const p of [api, worker]) p.kill('SIGTERM');
    await Promise.all([api, worker].map((p) => new Promise((r) => (p.exitCode !== null ? r(null) : p.once('exit', r)))));
  };
  return { api, worker, stop };
}

async function api(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const res = await fetch(`${BASE}${url}`, { method, headers: { ...auth, ...headers }, body: body as string | undefined, duplex: 'half' } as RequestInit);
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** NDJSON batch bodies streamed from the generator, never the whole export in memory. */
function batchBody(rows: Iterator<unknown[]>, n: number): ReadableStream<Uint8Array> {
  let left = n;
  const enc = new TextEncoder();
  return new ReadableStream({
    pull(ctrl) {
      let s = '';
      for (let k = 0; k < 2000 && left > 0; k++, left--) {
        const row = rows.next().value as unknown[];
        if (row[DATE_COL] !== null) row[DATE_COL] = dayIso(row[DATE_COL]);
        s += JSON.stringify(row) + '\n';
      }
      if (s) ctrl.enqueue(enc.encode(s));
      if (left === 0) ctrl.close();
    },
  });
}

async function runExport(n: number, format: 'xlsx' | 'csv'): Promise<Record<string, unknown>> {
  const { exportId } = await api('POST', '/exports', JSON.stringify({ format, filename: `bench-${n}`, columns: COLUMNS }), { 'content-type': 'application/json' });
  const rows = (baseRows(n) as Iterable<unknown[]>)[Symbol.iterator]();
  for (let seq = 0; seq * BATCH < n; seq++) {
    await api('POST', `/exports/${exportId}/records?seq=${seq}`, batchBody(rows, Math.min(BATCH, n - seq * BATCH)), { 'content-type': 'application/x-ndjson' });
  }
  await api('POST', `/exports/${exportId}/complete`);
  for (;;) {
    const v = await api('GET', `/exports/${exportId}`);
    if (v.status === 'COMPLETED') {
      const h = await redis.hgetall(`${prefix}export:{${exportId}}`);
      return { ...v, workerMs: Number(h.updatedAt) - Number(h.startedAt) };
    }
    if (v.status === 'FAILED') throw new Error(`export failed: ${JSON.stringify(v.error)}`);
    await sleep(100);
  }
}

const py = await pythonWith('xlsxwriter');
const out = (f: string) => path.join(dataDir, f);
// XlsxWriter's anchor reads the generator's CSV of the same size.
for (const n of SIZES) {
  if (py && n <= Number(flags['anchor-max']) && !existsSync(path.join(ANCHORS, `data/base_${n}.csv`))) {
    spawnSync('node', ['gen.mjs', '--rows', String(n)], { cwd: ANCHORS, stdio: 'inherit' });
  }
}
const load = (): string => loadavg().map((x) => x.toFixed(2)).join(', ');
console.log(`\nrecord exports through the API and export-worker, 10 columns, medians of ${REPS} (API and worker on Node ${NODE_VERSION}; load average at start ${load()})\n`);
console.log('| records | format | worker records/s | worker peak RSS MB | API peak RSS MB | exceljs rows/s | XlsxWriter rows/s | vs exceljs |');
console.log('| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const n of SIZES) {
  for (const format of FORMATS) {
    const rate: number[] = [];
    const wRss: number[] = [];
    const aRss: number[] = [];
    const ej: number[] = [];
    const xw: number[] = [];
    for (let rep = 0; rep < REPS; rep++) {
      const procs = await startProcs();
      try {
        const v = await runExport(n, format);
        if (v.recordCount !== n) throw new Error(`recordCount ${String(v.recordCount)} != ${n}`);
        rate.push(n / ((v.workerMs as number) / 1000));
        wRss.push(peakMb(procs.worker));
        aRss.push(peakMb(procs.api));
      } finally {
        await procs.stop();
      }
      if (format === 'xlsx' && n <= Number(flags['anchor-max'])) {
        const e = await measure('node', ['writers/exceljs.mjs', '--rows', String(n), '--out', out('exceljs.xlsx')], { cwd: ANCHORS });
        ej.push(n / (e.result.ms! / 1000));
        if (py) {
          const x = await measure(py, ['writers/py_xlsxwriter.py', '--csv', `data/base_${n}.csv`, '--out', out('xw.xlsx')], { cwd: ANCHORS }).catch(() => null);
          if (x) xw.push(n / (x.result.ms! / 1000));
        }
      }
      console.error(`  ${n} ${format} rep ${rep + 1}: ${fmt(rate.at(-1)!)} rec/s, worker ${fmt(wRss.at(-1)!)} MB, api ${fmt(aRss.at(-1)!)} MB`);
    }
    const m = (xs: number[]) => (xs.length ? fmt(median(xs)) : '–');
    console.log(`| ${fmt(n)} | ${format} | ${m(rate)} | ${m(wRss)} | ${m(aRss)} | ${m(ej)} | ${m(xw)} | ${ej.length ? fmt(median(rate) / median(ej), 2) + '×' : '–'} |`);
  }
}

const C = Number(flags.concurrent);
if (C > 0) {
  const procs = await startProcs();
  try {
    const t0 = performance.now();
    const views = await Promise.all(Array.from({ length: C }, (_, i) => runExport(100_000, i % 2 ? 'csv' : 'xlsx')));
    const wall = (performance.now() - t0) / 1000;
    let ok = 0;
    for (const v of views) {
      const u = new URL(v.url as string);
      const buf = Buffer.from(await (await fetch(`http://127.0.0.1:${PORT}${u.pathname}${u.search}`)).arrayBuffer());
      const file = out(`c-${String(v.exportId)}.${String(v.format)}`);
      writeFileSync(file, buf);
      const rows = (await readTable(file, v.format as 'xlsx' | 'csv', { maxRows: 200_000 })).rows.length;
      const sha = createHash('sha256').update(buf).digest('hex');
      if (rows === 100_000 && sha === v.sha256 && buf.length === v.fileSize) ok++;
      else console.error(`  MISMATCH ${String(v.exportId)}: rows ${rows}, sha ${sha === v.sha256}, size ${buf.length}/${String(v.fileSize)}`);
    }
    console.log(`\n${C} concurrent 100k exports (xlsx and csv alternating): ${ok}/${C} complete and verified (row count + sha256 + size), ${fmt(wall, 1)} s wall, worker peak ${fmt(peakMb(procs.worker))} MB, API peak ${fmt(peakMb(procs.api))} MB`);
  } finally {
    await procs.stop();
  }
}

let cursor = '0';
do {
  const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
  cursor = next;
  if (found.length) await redis.unlink(...found);
} while (cursor !== '0');
redis.disconnect();
rmSync(dataDir, { recursive: true, force: true });
console.log(`\nload average at end ${load()}`);
