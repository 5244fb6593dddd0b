#!/usr/bin/env node
// `npm run bench:diff`: the diff engine against the anchors of ../shared/bench, in one run.
//
//   node bench/diff/run.mjs [--rows 100000,1000000] [--reps 3] [--phases keyed,xlsx-read,xlsx-diff,worker,keyless,spill]
//                           [--spill-rows 5000000] [--anchors DIR]
//
// Needs: `npm install` in ../shared/bench (exceljs, daff), GNU time at /usr/bin/time, and for
// the pandas anchor a python3 with pandas (`apt-get install -y time python3-pandas`).
// --anchors: a writable copy of ../shared/bench to use instead (its data/ and out/ are written),
// e.g. `cp -r ../shared/bench /tmp/anchors && (cd /tmp/anchors && npm ci)` when the shared
// checkout is read-only.
// Phases:
//   keyed      ../shared/bench/diff-anchors.mjs with our CLI as an --extra contender (CSV vs CSV,
//              key id, CSV output): map-floor, pandas, daff and ours, interleaved, medians of 3.
//   xlsx-read  our streaming reader vs exceljs's WorkbookReader on the same xlsx (made from the
//              generated CSV by csv-to-xlsx.mjs, cached under bench/out/); ours also with the
//              shared strings forced to disk (--strings-mb 1).
//   xlsx-diff  xlsx vs xlsx keyed, end to end through the CLI (xlsx output), beside map-floor on
//              the same rows as CSV.
//   worker     xlsx vs xlsx keyed as a job of the real compare worker (worker-e2e.ts: private
//              redis-server, local storage; XLSX, CSV, summary and preview written): the job's
//              time from compare_started to compared, and the worker process's peak RSS.
//   keyless    CSV vs CSV without a key (sequence alignment) beside the keyed run.
//   spill      --spill-rows rows CSV vs CSV keyed (partitions on disk): wall and peak RSS.
// Every figure is a median over --reps runs interleaved with the runs it is compared to.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const a = { rows: '100000,1000000', reps: '3', phases: 'keyed,xlsx-read,xlsx-diff,worker,keyless', 'spill-rows': '5000000', anchors: path.resolve(root, '../shared/bench') };
for (let v = process.argv.slice(2), i = 0; i < v.length; i += 2) {
  const k = v[i].replace(/^--/, '');
  if (!(k in a) || v[i + 1] === undefined) { console.error(`unknown or incomplete option ${v[i]}`); process.exit(2); }
  a[k] = v[i + 1];
}
const shared = path.resolve(a.anchors);
const SIZES = a.rows.split(',').map(Number);
const loadAtStart = os.loadavg().map((x) => x.toFixed(1)).join(' ');
const REPS = Number(a.reps);
const PHASES = new Set(a.phases.split(','));
const TIME = '/usr/bin/time';
const need = (ok, what) => { if (!ok) { console.error(`bench:diff needs ${what}`); process.exit(2); } };
need(fs.existsSync(TIME), 'GNU time at /usr/bin/time (apt-get install -y time)');
need(fs.existsSync(path.join(shared, 'node_modules/exceljs')), 'the anchors installed: cd ../shared/bench && npm install');
const CLI = path.join(root, 'dist/bench-build/src/cli/main.js');
const READ = path.join(root, 'dist/bench-build/bench/diff/read-rows.js');
const WORKER = path.join(root, 'dist/bench-build/bench/diff/worker-e2e.js');
need(fs.existsSync(CLI), 'the bench build (npm run bench:diff builds it)');
// the compiled job store reads its Lua scripts beside itself
fs.cpSync(path.join(root, 'src/redis/scripts'), path.join(root, 'dist/bench-build/src/redis/scripts'), { recursive: true });
const out = path.join(root, 'bench/out/diff');
fs.mkdirSync(out, { recursive: true });
const data = (n, side) => path.join(shared, `data/${side}_${n}.csv`);

function gen(n) {
  if (!fs.existsSync(data(n, 'mod')) || !fs.existsSync(path.join(shared, `data/meta_${n}.json`))) {
    execFileSync(process.execPath, ['gen.mjs', '--rows', String(n)], { cwd: shared, stdio: 'inherit' });
  }
  return JSON.parse(fs.readFileSync(path.join(shared, `data/meta_${n}.json`), 'utf8'));
}
function xlsx(n, side) {
  const f = path.join(out, `${side}_${n}.xlsx`);
  if (!fs.existsSync(f)) execFileSync(process.execPath, [path.join(root, 'bench/diff/csv-to-xlsx.mjs'), data(n, side), f], { stdio: 'inherit', env: { ...process.env, BENCH_ANCHORS: shared } });
  return f;
}
// one process under /usr/bin/time: wall s, peak RSS MB, its RESULT line
function run(argv, okCodes = [0]) {
  const tf = path.join(out, `time-${process.pid}.txt`);
  const r = spawnSync(TIME, ['-f', '%e %M', '-o', tf, ...argv], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const [wall, kb] = fs.readFileSync(tf, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  const line = (r.stdout ?? '').split('\n').filter((l) => l.startsWith('RESULT ')).pop();
  if (!okCodes.includes(r.status)) console.error(`  failed (${r.status}): ${argv.join(' ')}\n${(r.stderr ?? '').slice(-500)}`);
  const result = line ? JSON.parse(line.slice(7)) : null;
  // a RESULT with its own `ms`/`rssMB` (the worker job) is measured by them, not by the bench process
  if (result?.rssMB !== undefined) return { ok: okCodes.includes(r.status), wall: result.ms / 1000, rss: result.rssMB, result };
  return { ok: okCodes.includes(r.status), wall, rss: Math.round(kb / 1024), result };
}
const median = (v) => { const s = v.filter((x) => x != null).sort((x, y) => x - y); return s.length ? s[(s.length - 1) >> 1] : null; };
// interleaves contenders rep by rep, rotating the order; returns name -> runs
function race(contenders) {
  const res = Object.fromEntries(contenders.map((c) => [c.name, []]));
  for (let rep = 0; rep < REPS; rep++) {
    for (let i = 0; i < contenders.length; i++) {
      const c = contenders[(i + rep) % contenders.length];
      const r = run(c.argv, c.okCodes);
      res[c.name].push(r);
      console.log(`  rep${rep} ${c.name}: ${r.wall}s ${r.rss}MB${r.result ? ' ' + JSON.stringify(r.result) : ''}`);
    }
  }
  return res;
}
const table = [];
const counts = (r, meta) => (!r ? '–' : ['added', 'removed', 'changedRows', 'changedCells'].every((k) => r[k] === meta[k]) ? 'exact' : `WRONG ${JSON.stringify(r)}`);
// `speedup`: the reference's time ÷ ours ("6.1× faster than X"); otherwise ours ÷ the reference
// ("1.10× X's time", the form of the map-floor targets).
function report(phase, n, res, ref, meta, unit, speedup = false) {
  const refWall = ref ? median(res[ref].map((r) => r.ok && r.wall)) : null;
  for (const [name, runs] of Object.entries(res)) {
    const ok = runs.filter((r) => r.ok);
    const wall = median(ok.map((r) => r.wall));
    const rows = ok[0]?.result?.rows ?? n;
    table.push(`| ${phase} | ${name} | ${n.toLocaleString('en-US')} | ${wall ?? '–'} | ${wall ? Math.round(rows / wall).toLocaleString('en-US') : '–'} | ${median(ok.map((r) => r.rss)) ?? '–'} | ` +
      `${!refWall || !wall || name === ref ? '–' : speedup ? `${(refWall / wall).toFixed(2)}× faster than ${ref}` : `${(wall / refWall).toFixed(2)}× ${ref}'s time`} | ` +
      `${meta ? counts(ok[0]?.result, meta) : unit ?? ''} | ${ok.length}/${runs.length} |`);
  }
}
const node = process.execPath;
const ours = (oldF, newF, outF, extra = []) => [node, CLI, 'diff', oldF, newF, '--out', outF, '--print-result', ...extra];

for (const n of SIZES) {
  const meta0 = gen(n);
  const meta = { added: meta0.added, removed: meta0.deleted, changedRows: meta0.changedRows, changedCells: meta0.changedCells };
  if (PHASES.has('keyed')) {
    console.log(`[${n}] keyed CSV diff with the anchors of ../shared/bench/diff-anchors.mjs`);
    const cmd = `${node} ${CLI} diff {old} {new} --key id --format csv --out {out} --print-result; test $? -le 1`;
    execFileSync(node, ['diff-anchors.mjs', '--rows', String(n), '--reps', String(REPS), '--extra', `ours=${cmd}`], { cwd: shared, stdio: 'inherit' });
    table.push(`| keyed | see ../shared/bench/out/diff-summary.md above (ratio to map-floor) | ${n.toLocaleString('en-US')} | | | | | | |`);
  }
  if (PHASES.has('xlsx-read')) {
    console.log(`[${n}] xlsx read`);
    const f = xlsx(n, 'base');
    const res = race([
      { name: 'ours read', argv: [node, READ, f] },
      { name: 'ours read, strings on disk', argv: [node, READ, f, '--strings-mb', '1'] },
      { name: 'exceljs WorkbookReader', argv: [node, path.join(shared, 'readers/exceljs.mjs'), '--in', f] },
    ]);
    report('xlsx read', n, res, 'exceljs WorkbookReader', null, 'rows/s = rows ÷ wall', true);
  }
  if (PHASES.has('xlsx-diff')) {
    console.log(`[${n}] xlsx vs xlsx keyed, xlsx output`);
    const [bo, mo] = [xlsx(n, 'base'), xlsx(n, 'mod')];
    const res = race([
      { name: 'ours xlsx→xlsx', argv: ours(bo, mo, path.join(out, 'x.xlsx'), ['--key', 'id']), okCodes: [0, 1] },
      { name: 'map-floor (csv)', argv: [node, path.join(shared, 'diff/map-floor.mjs'), '--old', data(n, 'base'), '--new', data(n, 'mod')] },
    ]);
    report('xlsx diff', n, res, 'map-floor (csv)', meta);
  }
  if (PHASES.has('worker')) {
    console.log(`[${n}] xlsx vs xlsx keyed, one job of the compare worker`);
    const [bo, mo] = [xlsx(n, 'base'), xlsx(n, 'mod')];
    const res = race([
      { name: 'compare worker job', argv: [node, WORKER, bo, mo, 'id'] },
      { name: 'map-floor (csv)', argv: [node, path.join(shared, 'diff/map-floor.mjs'), '--old', data(n, 'base'), '--new', data(n, 'mod')] },
    ]);
    report('worker', n, res, 'map-floor (csv)', meta);
  }
  if (PHASES.has('keyless')) {
    console.log(`[${n}] keyless vs keyed CSV diff`);
    const res = race([
      { name: 'ours keyed', argv: ours(data(n, 'base'), data(n, 'mod'), path.join(out, 'k.csv'), ['--key', 'id']), okCodes: [0, 1] },
      { name: 'ours keyless', argv: ours(data(n, 'base'), data(n, 'mod'), path.join(out, 'nk.csv'), ['--keyless']), okCodes: [0, 1] },
    ]);
    report('keyless', n, res, 'ours keyed', null, 'keyless counts differ by design (a changed key is a remove + add)');
  }
}
if (PHASES.has('spill')) {
  const n = Number(a['spill-rows']);
  const meta0 = gen(n);
  const meta = { added: meta0.added, removed: meta0.deleted, changedRows: meta0.changedRows, changedCells: meta0.changedCells };
  console.log(`[${n}] spill: CSV vs CSV keyed past DIFF_SPILL_MB`);
  const res = race([
    { name: 'ours (spill 256 MiB)', argv: ours(data(n, 'base'), data(n, 'mod'), path.join(out, 's.csv'), ['--key', 'id', '--spill-mb', '256']), okCodes: [0, 1] },
    { name: 'map-floor', argv: [node, path.join(shared, 'diff/map-floor.mjs'), '--old', data(n, 'base'), '--new', data(n, 'mod')] },
  ]);
  report('spill', n, res, 'map-floor', meta);
}
const loadAtEnd = os.loadavg().map((x) => x.toFixed(1)).join(' ');
const md = `node ${process.version}, ${os.cpus().length} cpus, load average at start ${loadAtStart}, at end ${loadAtEnd}; ${REPS} reps interleaved; ` +
  'wall = whole process (worker: the job, compare_started → compared)\n\n' +
  '| phase | contender | rows | wall s (median) | rows/s | peak RSS MB (median) | against the reference (medians) | counts | runs ok |\n|---|---|---:|---:|---:|---:|---:|---|---|\n' + table.join('\n') + '\n';
fs.writeFileSync(path.join(out, 'summary.md'), md);
console.log('\n' + md);
