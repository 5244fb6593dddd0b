/**
 * Helpers shared by the spreadsheet benchmarks: run a contender in its own process under
 * `/usr/bin/time` (wall and peak RSS), parse its `RESULT {json}` line, bundle a TS runner into
 * one plain-Node file (so our figures do not include the TypeScript loader), medians.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The shared performance anchors, beside the repository. */
export const ANCHORS = path.resolve(ROOT, '../shared/bench');

export interface Run {
  wallS: number;
  peakRssMb: number;
  result: Record<string, number>;
}

/** Runs `cmd args` under /usr/bin/time; rejects with its stderr on a non-zero exit. */
export function measure(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', 'TIME %e %M', cmd, ...args], { cwd: opts.cwd ?? ROOT, env: opts.env ?? process.env });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      const t = /TIME ([\d.]+) (\d+)/.exec(err);
      const r = /RESULT (\{.*\})/.exec(out);
      if (code !== 0 || !t || !r) return reject(new Error(`${cmd} ${args.join(' ')} failed (${code}):\n${err.slice(-2000)}`));
      resolve({ wallS: Number(t[1]), peakRssMb: Number(t[2]) / 1024, result: JSON.parse(r[1]!) as Record<string, number> });
    });
  });
}

/** Bundles a TypeScript entry into one ESM file with esbuild (a dependency of tsx). */
export async function bundle(entry: string, outfile: string): Promise<string> {
  const esbuild = (await import('esbuild')) as typeof import('esbuild');
  await esbuild.build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' });
  return outfile;
}

/**
 * Compiles `dirs` (e.g. src, workers) file by file into `outDir`, as `tsc -p tsconfig.build.json`
 * lays out dist/ (one ESM file per module, other files such as the Lua scripts copied beside),
 * so a benchmark runs the processes as they are deployed: lazy `import()`s stay lazy, which a
 * single-file bundle would not keep (it hoists the packages they import).
 */
export async function buildLikeDist(dirs: string[], outDir: string): Promise<string> {
  const esbuild = (await import('esbuild')) as typeof import('esbuild');
  const entries: string[] = [];
  const walk = (dir: string): void => {
    for (const d of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = path.join(dir, d.name);
      if (d.isDirectory()) walk(rel);
      else if (rel.endsWith('.ts') && !rel.endsWith('.d.ts')) entries.push(path.join(ROOT, rel));
      else {
        mkdirSync(path.join(outDir, dir), { recursive: true });
        copyFileSync(path.join(ROOT, rel), path.join(outDir, rel));
      }
    }
  };
  for (const dir of dirs) walk(dir);
  await esbuild.build({ entryPoints: entries, outdir: outDir, outbase: ROOT, bundle: false, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning' });
  writeFileSync(path.join(outDir, 'package.json'), '{ "type": "module" }\n');
  return outDir;
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** The first Python 3 that has a module, or undefined. */
export async function pythonWith(mod: string): Promise<string | undefined> {
  for (const py of ['/usr/bin/python3', 'python3']) {
    if (py.startsWith('/') && !existsSync(py)) continue;
    const ok = await new Promise<boolean>((res) => {
      const c = spawn(py, ['-c', `import ${mod}`], { stdio: 'ignore' });
      c.on('close', (code) => res(code === 0));
      c.on('error', () => res(false));
    });
    if (ok) return py;
  }
  return undefined;
}

export const fmt = (n: number, d = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
