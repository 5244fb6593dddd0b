/**
 * `bench:queue --redis-instructions`: the private redis-server runs under valgrind's callgrind, and
 * each throughput run reports the machine instructions Redis executed per job (callgrind is zeroed
 * when the run starts and dumped when it ends). Unlike CPU time this does not move with the
 * machine's load: the same run gives the same count to within about 1 %. Redis runs ~50 times
 * slower under callgrind, so jobs/s mean nothing in this mode; use a few thousand jobs.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../scripts/lib/free-port.js';
import { redisAnswers } from '../../scripts/lib/redis-server.js';
import type { Probe } from './probe.js';

export interface CallgrindRedis {
  url: string;
  /** Wraps a probe so its samples carry Redis instructions per job (`redisIr`). */
  probe(inner: Probe): Probe;
  stop(): Promise<void>;
}

export async function startCallgrindRedis(): Promise<CallgrindRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-queue-callgrind-'));
  const port = await freePort();
  const child: ChildProcess = spawn(
    'valgrind',
    ['--tool=callgrind', `--callgrind-out-file=${join(dir, 'cg.out')}`, 'redis-server', '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  const spawned = await new Promise<Error | null>((ok) => {
    child.once('spawn', () => ok(null));
    child.once('error', (e) => ok(e));
  });
  if (spawned) throw new Error(`cannot run valgrind (${spawned.message}); Debian: apt-get install valgrind`);
  for (let i = 0; !(await redisAnswers(url, 1_000)); i++) {
    if (i > 100 || child.exitCode !== null) throw new Error('redis-server under callgrind did not start');
    await new Promise((r) => setTimeout(r, 200));
  }
  const control = (flag: string) => execFileSync('callgrind_control', [flag, String(child.pid)], { stdio: 'ignore' });
  const lastDump = (): number => {
    const dumps = readdirSync(dir).filter((f) => /^cg\.out\.\d+$/.test(f)).sort((a, b) => Number(a.split('.').pop()) - Number(b.split('.').pop()));
    const text = readFileSync(join(dir, dumps.at(-1)!), 'utf8');
    return Number(/^(?:summary|totals):\s+(\d+)/m.exec(text)?.[1] ?? NaN);
  };
  return {
    url,
    probe: (inner) => ({
      async begin() {
        await inner.begin();
        control('-z');
      },
      async end(jobs) {
        control('-d');
        const ir = lastDump();
        return { ...(await inner.end(jobs)), redisIr: ir / jobs };
      },
    }),
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
