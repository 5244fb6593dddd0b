/**
 * Runs a TypeScript entry file as a real child process (`node --import tsx`), with its own env,
 * captured output and signal helpers, for tests that crash, stop or restart workers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface SpawnedProcess {
  child: ChildProcess;
  pid: number;
  name: string;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** stdout lines that parse as JSON objects, in order. */
  events(): Record<string, unknown>[];
  /** Resolves with the first JSON stdout event matching `pred` (rejects after `timeoutMs`). */
  waitForEvent(pred: (e: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Resolves once the output matches `re`. */
  waitForOutput(re: RegExp, timeoutMs?: number): Promise<void>;
  kill(signal?: NodeJS.Signals): void;
  stop(): void;
  cont(): void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface SpawnOptions {
  /** Entry file, relative to the repository root or absolute. */
  entry: string;
  env?: Record<string, string | undefined>;
  /** Label used in failure messages. */
  name?: string;
  /** Echo the child's output to this process's stderr (debugging). */
  echo?: boolean;
}

/** Spawns `node --import tsx <entry>` with the parent's env plus `env`. */
export function spawnWorker(o: SpawnOptions): SpawnedProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', o.entry], {
    cwd: ROOT,
    env: { ...process.env, ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const name = o.name ?? o.entry;
  let out = '';
  let pendingLine = '';
  const events: Record<string, unknown>[] = [];
  let watchers: (() => void)[] = [];
  const notify = () => watchers.forEach((w) => w());
  child.stdout!.on('data', (b: Buffer) => {
    const s = b.toString();
    out += s;
    if (o.echo) process.stderr.write(`[${name}] ${s}`);
    const lines = (pendingLine + s).split('\n');
    pendingLine = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      try {
        events.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not an event line
      }
    }
    notify();
  });
  child.stderr!.on('data', (b: Buffer) => {
    out += b.toString();
    if (o.echo) process.stderr.write(`[${name}!] ${b.toString()}`);
    notify();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      notify();
      resolve({ code, signal });
    }),
  );

  const waitUntil = (check: () => boolean, what: string, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      if (check()) return resolve();
      const w = () => {
        if (!check()) return;
        clearTimeout(timer);
        watchers = watchers.filter((x) => x !== w);
        resolve();
      };
      const timer = setTimeout(() => {
        watchers = watchers.filter((x) => x !== w);
        reject(new Error(`${name}: timed out after ${timeoutMs} ms waiting for ${what}\n--- output ---\n${out.slice(-4000)}`));
      }, timeoutMs);
      watchers.push(w);
    });

  return {
    child,
    pid: child.pid!,
    name,
    output: () => out,
    events: () => events,
    async waitForEvent(pred, timeoutMs = 20_000) {
      let found: Record<string, unknown> | undefined;
      await waitUntil(() => (found = events.find(pred)) !== undefined, 'an event', timeoutMs);
      return found!;
    },
    waitForOutput: (re, timeoutMs = 20_000) => waitUntil(() => re.test(out), String(re), timeoutMs),
    kill: (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    stop: () => child.kill('SIGSTOP'),
    cont: () => child.kill('SIGCONT'),
    exited,
  };
}
