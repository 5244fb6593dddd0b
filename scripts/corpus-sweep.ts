/**
 * `npm run corpus`: every file of ../shared/corpus (MANIFEST.tsv) through the reader and the
 * diff path, each step in a child process capped at 30 s and 512 MB, and tables of outcomes by
 * the manifest's note (the read) and by diff step: ok / rejected with a specific code / crashed
 * / timed out / generic error / wrong result.
 *
 *   tsx scripts/corpus-sweep.ts [--corpus ../shared/corpus] [--only REGEX] [--jobs 2] [--out FILE]
 *                               [--steps read,self,keyless,neighbour]
 *
 * A file that reads goes through the diff steps of corpus-child.ts: against itself keyed by its
 * first column (in memory, through spill partitions, with the shared strings on disk: no
 * change, the same counts), against itself without a key, and against its neighbour in the
 * manifest. Children are reused across steps (start-up is most of the cost of a small file); a
 * child that times out, passes the memory cap or dies is replaced, and so is one whose resting
 * size (after a GC at the end of each step) passed 192 MB. Exit code 1 when any step
 * crashed, timed out, failed with a generic error or gave a wrong result.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const opt = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : def;
};
const corpus = resolve(opt('corpus', join(here, '../../shared/corpus')));
const only = process.argv.includes('--only') ? new RegExp(opt('only', '')) : null;
const JOBS = Number(opt('jobs', '2'));
const TIMEOUT_MS = 30_000;
const MAX_RSS_KB = 512 * 1024;
const RESTART_KB = 192 * 1024;
const STEPS = opt('steps', 'read,self,keyless,neighbour').split(',');
// the children's temporary files, removed at the end even when a child was killed
const scratch = mkdtempSync(join(tmpdir(), 'sd-corpus-sweep-'));
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    rmSync(scratch, { recursive: true, force: true });
    process.exit(130);
  });
}

type Outcome = 'ok' | 'rejected' | 'crashed' | 'timed out' | 'generic error' | 'wrong result';
interface Row {
  path: string;
  note: string;
  step: string;
  outcome: Outcome;
  detail: string;
}

const lines = readFileSync(join(corpus, 'MANIFEST.tsv'), 'utf8').split('\n').slice(1).filter(Boolean);
const files = lines.map((l) => l.split('\t')).map((f) => ({ path: f[0]!, note: f[7] ?? '' })).filter((f) => !only || only.test(f.path));

class Child {
  proc: ChildProcessWithoutNullStreams;
  private pending: ((line: string | null) => void) | undefined;
  constructor() {
    this.proc = spawn(process.execPath, ['--import', 'tsx', '--max-old-space-size=512', '--expose-gc', join(here, 'corpus-child.ts')], {
      stdio: 'pipe',
      env: { ...process.env, CORPUS_TMP: scratch },
    });
    this.proc.stderr.resume();
    createInterface({ input: this.proc.stdout }).on('line', (l) => this.pending?.(l));
    this.proc.once('exit', () => this.pending?.(null));
  }
  rssKb(): number {
    try {
      const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${this.proc.pid}/status`, 'utf8'));
      return m ? Number(m[1]) : 0;
    } catch {
      return 0;
    }
  }
  /** Sends one step; resolves with its reply, or a crash/time-out/memory verdict. */
  ask(task: { path: string; step: string; other?: string }): Promise<{ line: string | null; verdict?: Outcome; detail?: string }> {
    return new Promise((done) => {
      let settled = false;
      const finish = (r: { line: string | null; verdict?: Outcome; detail?: string }): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearInterval(watch);
        this.pending = undefined;
        done(r);
      };
      const timer = setTimeout(() => finish({ line: null, verdict: 'timed out', detail: `over ${TIMEOUT_MS / 1000} s` }), TIMEOUT_MS);
      const watch = setInterval(() => {
        const kb = this.rssKb();
        if (kb > MAX_RSS_KB) finish({ line: null, verdict: 'crashed', detail: `over 512 MB RSS (${Math.round(kb / 1024)} MB)` });
      }, 100);
      this.pending = (line) => finish(line === null ? { line, verdict: 'crashed', detail: `child exited (${this.proc.exitCode ?? this.proc.signalCode})` } : { line });
      this.proc.stdin.write(`${JSON.stringify(task)}\n`);
    });
  }
}

const rows: Row[] = [];
let next = 0;
async function worker(): Promise<void> {
  let child = new Child();
  while (next < files.length) {
    const i = next++;
    const f = files[i]!;
    for (const step of STEPS) {
      const other = join(corpus, files[(i + 1) % files.length]!.path);
      // each step starts from a small resting size: a child grown past RESTART_KB (heap kept
      // from earlier steps) is replaced, so the cap measures the step and not what came before
      if (child.rssKb() > RESTART_KB) {
        child.proc.kill('SIGKILL');
        child = new Child();
      }
      const r = await child.ask({ path: join(corpus, f.path), step, other });
      let row: Row;
      if (r.verdict) {
        row = { ...f, step, outcome: r.verdict, detail: r.detail ?? '' };
        child.proc.kill('SIGKILL');
        child = new Child();
      } else {
        const m = JSON.parse(r.line!) as { ok: boolean; code?: string; message?: string; generic?: boolean; wrong?: boolean; rows?: number; detail?: string };
        row = m.ok
          ? { ...f, step, outcome: 'ok', detail: `${m.rows} rows${m.detail ? `, ${m.detail}` : ''}` }
          : m.wrong
            ? { ...f, step, outcome: 'wrong result', detail: m.message ?? '' }
            : { ...f, step, outcome: m.generic ? 'generic error' : 'rejected', detail: `${m.code}: ${m.message}` };
      }
      rows.push(row);
      if (row.outcome !== 'ok' && row.outcome !== 'rejected') console.error(`${row.outcome}: ${f.path} (${step}) ${row.detail}`);
      // a file the reader rejects is not diffed (every step would reject it the same way)
      if (step === 'read' && row.outcome !== 'ok') break;
    }
  }
  child.proc.kill();
}
try {
  await Promise.all(Array.from({ length: JOBS }, worker));
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const OUTCOMES: Outcome[] = ['ok', 'rejected', 'crashed', 'timed out', 'generic error', 'wrong result'];
function table(title: string, groups: string[], of: (g: string) => Row[]): string {
  let md = `| ${title} | files | ${OUTCOMES.join(' | ')} | rejection codes |\n|---|---:|${OUTCOMES.map(() => '---:').join('|')}|---|\n`;
  for (const g of groups) {
    const rs = of(g);
    const codes = new Map<string, number>();
    for (const r of rs) if (r.outcome === 'rejected') codes.set(r.detail.split(':')[0]!, (codes.get(r.detail.split(':')[0]!) ?? 0) + 1);
    md += `| ${g || '–'} | ${rs.length} | ${OUTCOMES.map((o) => rs.filter((r) => r.outcome === o).length).join(' | ')} | ${[...codes].map(([c, n]) => `${c} ${n}`).join(', ')} |\n`;
  }
  return md;
}
const reads = rows.filter((r) => r.step === 'read');
const diffs = rows.filter((r) => r.step !== 'read');
const notes = [...new Set(reads.map((r) => r.note))].sort();
let md = table('note', [...notes, 'all'], (n) => reads.filter((r) => n === 'all' || r.note === n));
const diffSteps = STEPS.filter((s) => s !== 'read');
if (diffSteps.length > 0) md += '\n' + table('diff step', [...diffSteps, 'all'], (s) => diffs.filter((r) => s === 'all' || r.step === s));
console.log(md);
const out = opt('out', '');
if (out) writeFileSync(out, md + '\n' + rows.map((r) => `${r.path}\t${r.note}\t${r.step}\t${r.outcome}\t${r.detail}`).join('\n') + '\n');
process.exitCode = rows.some((r) => r.outcome !== 'ok' && r.outcome !== 'rejected') ? 1 : 0;
