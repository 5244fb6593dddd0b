/**
 * `npm run bench:write`: the shared XLSX writer against exceljs's streaming WorkbookWriter and
 * XlsxWriter (constant_memory) from ../shared/bench, writing the generator's 10-column table.
 *
 * Each contender runs in its own process under /usr/bin/time (peak RSS), contenders interleaved
 * and rotated per rep; rows/s come from each runner's own timer (`RESULT {ms}`), so process
 * start-up is left out for every contender alike. Ours is bundled to plain JS first (no
 * TypeScript loader in the figures). XlsxWriter's time includes reading and converting the
 * generator's CSV (its anchor works that way; `py_load_only.py` measures that share).
 *
 * Flags: --rows 100000,1000000  --reps 3  --only REGEX
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ANCHORS, bundle, fmt, measure, median, pythonWith, ROOT, type Run } from '../lib/measure.js';

const { values: flags } = parseArgs({
  options: { rows: { type: 'string', default: '100000,1000000' }, reps: { type: 'string', default: '3' }, only: { type: 'string' } },
});
const SIZES = flags.rows.split(',').map(Number);
const REPS = Number(flags.reps);
const work = path.join(tmpdir(), `sd-bench-write-${process.pid}`);
mkdirSync(work, { recursive: true });

const ours = await bundle(path.join(ROOT, 'bench/write/ours-xlsx.ts'), path.join(work, 'ours.mjs'));
const py = await pythonWith('xlsxwriter');

interface Contender {
  name: string;
  run: (rows: number) => Promise<Run>;
}
const out = (f: string): string => path.join(work, f);
const contenders: Contender[] = [
  { name: 'sheetdiff XlsxWriter', run: (n) => measure('node', [ours, '--rows', String(n), '--out', out('ours.xlsx')]) },
  { name: 'sheetdiff CsvWriter', run: (n) => measure('node', [ours, '--rows', String(n), '--format', 'csv', '--out', out('ours.csv')]) },
  { name: 'exceljs 4.4.0 stream', run: (n) => measure('node', ['writers/exceljs.mjs', '--rows', String(n), '--out', out('exceljs.xlsx')], { cwd: ANCHORS }) },
];
if (py) {
  contenders.push({
    name: 'XlsxWriter constant_memory',
    run: (n) => measure(py, ['writers/py_xlsxwriter.py', '--csv', `data/base_${n}.csv`, '--out', out('xlsxwriter.xlsx')], { cwd: ANCHORS }),
  });
} else console.warn('XlsxWriter skipped: no python3 with xlsxwriter (apt-get install -y python3-xlsxwriter)');
const chosen = contenders.filter((c) => !flags.only || new RegExp(flags.only).test(c.name));

for (const n of SIZES) {
  if (py && !existsSync(path.join(ANCHORS, `data/base_${n}.csv`))) spawnSync('node', ['gen.mjs', '--rows', String(n)], { cwd: ANCHORS, stdio: 'inherit' });
  const runs = new Map<string, Run[]>(chosen.map((c) => [c.name, []]));
  for (let rep = 0; rep < REPS; rep++) {
    const order = chosen.map((_, i) => chosen[(i + rep) % chosen.length]!);
    for (const c of order) {
      const r = await c.run(n);
      if (r.result.rows !== n) throw new Error(`${c.name} wrote ${r.result.rows} rows, expected ${n}`);
      runs.get(c.name)!.push(r);
      console.error(`  ${n} ${c.name} rep ${rep + 1}: ${fmt(r.result.ms! / 1000, 2)} s, ${fmt(r.peakRssMb)} MB`);
    }
  }
  const rate = (name: string): number => median(runs.get(name)!.map((r) => n / (r.result.ms! / 1000)));
  const anchor = runs.has('exceljs 4.4.0 stream') ? rate('exceljs 4.4.0 stream') : NaN;
  console.log(`\n${fmt(n)} rows × 10 columns (medians of ${REPS}; Node ${process.versions.node}; load average ${loadavg().map((x) => x.toFixed(2)).join(', ')})\n`);
  console.log('| contender | rows/s | peak RSS MB | vs exceljs |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const c of chosen) {
    const rs = runs.get(c.name)!;
    console.log(`| ${c.name} | ${fmt(rate(c.name))} | ${fmt(median(rs.map((r) => r.peakRssMb)))} | ${fmt(rate(c.name) / anchor, 2)}× |`);
  }
}
