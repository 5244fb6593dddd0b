import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { relative, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV_KEYS, EnvSchema } from '../../../src/config/env.js';
import { STREAM_KINDS } from '../../../src/redis/keys.js';
import { envNames, execForm, last, readDockerfile, type Stage } from './support/dockerfile.js';
import { readText, repoPath, ROOT } from './support/repo.js';

/** Source file (relative) whose tsc output is `dist/...` per tsconfig.build.json, computed by TypeScript itself. */
const build = ts.getParsedCommandLineOfConfigFile(repoPath('tsconfig.build.json'), {}, {
  ...ts.sys,
  onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(String(d.messageText)); },
})!;
const emitted = new Map<string, string>();
for (const file of build.fileNames) {
  for (const out of ts.getOutputFileNames(build, file, false)) emitted.set(relative(ROOT, out), relative(ROOT, file));
}
const sourceOf = (distPath: string) => emitted.get(distPath);

const runtime = (stages: Stage[]) => stages[stages.length - 1]!;
const copies = (stage: Stage) => stage.instructions.filter((i) => i.name === 'COPY').map((i) => i.args);

describe.each(['Dockerfile.api', 'Dockerfile.worker'])('%s', (file) => {
  const stages = readDockerfile(file);
  const final = runtime(stages);

  it('builds in stages deps → build → prod-deps → runtime on Node 24 slim', () => {
    expect(stages.map((s) => s.alias)).toEqual(['deps', 'build', 'prod-deps', 'runtime']);
    expect(readText(file)).toMatch(/^ARG NODE_IMAGE=node:24-[a-z]+-slim$/m);
    const prodDeps = stages.find((s) => s.alias === 'prod-deps')!;
    expect(prodDeps.instructions.some((i) => i.name === 'RUN' && /npm ci --omit=dev/.test(i.args))).toBe(true);
  });

  it('ships only compiled code, production dependencies and its two helper scripts', () => {
    const list = copies(final);
    expect(list).toContain('--from=prod-deps /app/node_modules ./node_modules');
    expect(list).toContain('--from=build /app/dist ./dist');
    for (const c of list.filter((x) => !x.startsWith('--from='))) {
      expect(c, 'context files copied into the runtime stage').toMatch(/^(package\.json \.\/|deploy\/docker\/\S+( deploy\/docker\/\S+)* \.\/deploy\/docker\/?)$/);
    }
    // Files read at run time beside the compiled code (the Lua scripts) are copied into dist.
    const assets = ['src', 'workers'].flatMap((d) => (readdirSync(repoPath(d), { recursive: true }) as string[]).map((f) => `${d}/${f}`))
      .filter((f) => /\.[a-z]+$/.test(f) && !f.endsWith('.ts'));
    expect(assets.length).toBeGreaterThan(0);
    const buildStage = stages.find((s) => s.alias === 'build')!;
    // The compile step is the server half of package.json's build script.
    const pkg = JSON.parse(readText('package.json')) as { scripts: Record<string, string> };
    const tsc = /^(tsc -p tsconfig\.build\.json)\b/.exec(pkg.scripts.build!)?.[1];
    expect(tsc, 'package.json "build" starts with tsc -p tsconfig.build.json').toBeDefined();
    expect(buildStage.instructions.some((i) => i.name === 'RUN' && i.args.startsWith(`npx ${tsc} `))).toBe(true);
    expect(buildStage.instructions.some((i) => i.name === 'RUN' && i.args.includes("find src workers -type f ! -name '*.ts' -exec cp --parents {} dist/"))).toBe(true);
  });

  it('runs as a numeric non-root user under tini with a health check, setting only schema variables', () => {
    expect(last(final, 'USER')!.args).toMatch(/^[1-9][0-9]*:[1-9][0-9]*$/);
    expect(execForm(last(final, 'ENTRYPOINT'), 'ENTRYPOINT').slice(0, 2)).toEqual(['/usr/bin/tini', '--']);
    expect(final.instructions.some((i) => i.name === 'RUN' && /apt-get install .*\btini\b/.test(i.args))).toBe(true);
    const health = execForm(last(final, 'HEALTHCHECK'), 'HEALTHCHECK');
    expect(health[0]).toBe('node');
    const [script, portVar, port] = health.slice(1);
    expect(script).toBe('deploy/docker/healthcheck.mjs');
    expect(ENV_KEYS as string[]).toContain(portVar);
    expect(Number(port)).toBe(EnvSchema.shape[portVar as 'PORT' | 'METRICS_PORT'].parse(undefined));
    for (const name of envNames(final)) expect(ENV_KEYS as string[], `ENV ${name}`).toContain(name);
  });
});

describe('image commands point at entry files tsc builds', () => {
  it('API: CMD runs dist/src/api/main.js, emitted from src/api/main.ts', () => {
    const cmd = [...execForm(last(runtime(readDockerfile('Dockerfile.api')), 'ENTRYPOINT'), 'ENTRYPOINT').slice(2),
      ...execForm(last(runtime(readDockerfile('Dockerfile.api')), 'CMD'), 'CMD')];
    expect(cmd).toEqual(['node', 'dist/src/api/main.js']);
    expect(sourceOf('dist/src/api/main.js')).toBe('src/api/main.ts');
    expect(sourceOf('dist/src/cli/main.js')).toBe('src/cli/main.ts');
  });

  it('worker: the entry maps every worker kind to dist/workers/<kind>/main.js, emitted from workers/<kind>/main.ts', () => {
    const final = runtime(readDockerfile('Dockerfile.worker'));
    const entry = execForm(last(final, 'ENTRYPOINT'), 'ENTRYPOINT').slice(2);
    expect(entry).toEqual(['node', 'deploy/docker/worker.mjs']);
    expect(existsSync(repoPath('deploy/docker/worker.mjs'))).toBe(true);
    expect(readText('deploy/docker/worker.mjs')).toContain("new URL('../../dist/workers/', import.meta.url)");
    expect(STREAM_KINDS).toContain(execForm(last(final, 'CMD'), 'CMD')[0]);
    for (const kind of STREAM_KINDS) expect(sourceOf(`dist/workers/${kind}/main.js`), kind).toBe(`workers/${kind}/main.ts`);
  });

  it('worker entry refuses an unknown kind with exit code 64', async () => {
    const child = spawn(process.execPath, [repoPath('deploy/docker/worker.mjs'), 'nonsense'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((ok) => child.on('exit', ok));
    expect(code).toBe(64);
    expect(err).toMatch(/unknown worker kind "nonsense"/);
  });
});

describe('deploy/docker/healthcheck.mjs against a real HTTP server', () => {
  let server: Server;
  let port = 0;
  let status = 200;
  beforeAll(async () => {
    server = createServer((req, res) => res.writeHead(req.url === '/healthz' ? status : 404).end());
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

  const run = (env: Record<string, string>, args: string[]) =>
    new Promise<number | null>((ok) => {
      spawn(process.execPath, [resolve(ROOT, 'deploy/docker/healthcheck.mjs'), ...args], { env: { ...process.env, ...env }, stdio: 'ignore' }).on('exit', ok);
    });

  it('exits 0 on 2xx, 1 on an error status, a closed port or a wrong path', async () => {
    status = 200;
    expect(await run({ METRICS_PORT: String(port) }, ['METRICS_PORT', '9100', '/healthz'])).toBe(0);
    status = 503;
    expect(await run({ METRICS_PORT: String(port) }, ['METRICS_PORT', '9100', '/healthz'])).toBe(1);
    status = 200;
    expect(await run({ PORT: String(port) }, ['PORT', '8080', '/other'])).toBe(1);
    server.close();
    expect(await run({ PORT: String(port) }, ['PORT', '8080', '/healthz'])).toBe(1);
  });
});

describe('Dockerfile.web and .dockerignore', () => {
  it('builds the web app with npm run build:web and serves it with frontend/nginx.conf as a non-root user', () => {
    const stages = readDockerfile('Dockerfile.web');
    const final = runtime(stages);
    const build = stages.find((s) => s.alias === 'build')!;
    const script = /npm run (\S+)/.exec(build.instructions.find((i) => i.name === 'RUN')!.args)![1]!;
    const pkg = JSON.parse(readText('package.json')) as { scripts: Record<string, string> };
    expect(pkg.scripts, `package.json script ${script}`).toHaveProperty(script);
    expect(copies(final)).toContain('frontend/nginx.conf /etc/nginx/conf.d/default.conf');
    expect(copies(final)).toContain('--from=build /app/frontend/dist /usr/share/nginx/html');
    // nginx listens where the web Service and compose expect it, proxies to the Service "api"
    // on PORT, and accepts two uploads of MAX_UPLOAD_BYTES.
    const conf = readText('frontend/nginx.conf');
    expect(conf).toMatch(/^\s*listen 8080;/m);
    expect(conf).toContain(`server api:${EnvSchema.shape.PORT.parse(undefined)};`);
    for (const path of ['/api/', '/wechatpay/']) expect(conf).toMatch(new RegExp(`location ${path} \\{[^}]*proxy_pass http://sheetdiff_api;`));
    const body = /client_max_body_size (\d+)m;/.exec(conf);
    expect(Number(body?.[1]) * 2 ** 20).toBeGreaterThanOrEqual(2 * (EnvSchema.shape.MAX_UPLOAD_BYTES.parse(undefined) as number));
    expect(last(final, 'USER')!.args).toBe('101');
    expect(last(final, 'HEALTHCHECK')).toBeDefined();
  });

  it('keeps secrets, dependencies and build output out of the build context', () => {
    const ignored = readText('.dockerignore').split('\n').map((l) => l.trim());
    for (const p of ['.git', '**/node_modules', 'dist', 'env.prod', 'data', 'test']) expect(ignored).toContain(p);
    for (const p of ['src', 'workers', 'scripts', 'frontend', 'deploy', 'package.json']) expect(ignored).not.toContain(p);
  });
});
