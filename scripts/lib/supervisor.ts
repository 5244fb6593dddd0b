/**
 * Runs the service's processes on one machine: restarts a process that dies (with a growing
 * delay, so a crash loop does not spin) and stops them all on SIGTERM/SIGINT.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface ProcessSpec {
  name: string;
  entry: string; // a built .js file
  env: Record<string, string>;
}

interface Running {
  spec: ProcessSpec;
  child?: ChildProcess;
  failures: number;
  startedAt: number;
  timer?: NodeJS.Timeout;
}

export class Supervisor {
  private readonly running: Running[] = [];
  private stopping = false;

  constructor(private readonly say: (line: string) => void) {}

  start(spec: ProcessSpec): void {
    const r: Running = { spec, failures: 0, startedAt: 0 };
    this.running.push(r);
    this.launch(r);
  }

  private launch(r: Running): void {
    r.startedAt = Date.now();
    const child = spawn(process.execPath, [r.spec.entry], {
      env: { ...process.env, ...r.spec.env },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    r.child = child;
    child.on('exit', (code, signal) => {
      r.child = undefined;
      if (this.stopping) return;
      // A process that stayed up for a minute starts again from a short delay.
      r.failures = Date.now() - r.startedAt > 60_000 ? 1 : r.failures + 1;
      const delay = Math.min(30_000, 500 * 2 ** (r.failures - 1));
      this.say(`${r.spec.name} exited (${signal ?? `code ${code}`}); restarting in ${delay} ms`);
      r.timer = setTimeout(() => this.launch(r), delay);
    });
  }

  /** SIGTERM to every child; SIGKILL those still running after `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    await Promise.all(
      this.running.map(async (r) => {
        clearTimeout(r.timer);
        const child = r.child;
        if (!child || child.exitCode !== null) return;
        const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(killer);
      }),
    );
  }
}
