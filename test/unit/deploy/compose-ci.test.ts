import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EnvSchema } from '../../../src/config/env.js';
import { STREAM_KINDS } from '../../../src/redis/keys.js';
import { kustomizeBuild } from './support/kustomize.js';
import { parseYamlDocuments, readText, readYaml, repoPath } from './support/repo.js';

type Obj = Record<string, any>;
const scripts = (JSON.parse(readText('package.json')) as { scripts: Record<string, string> }).scripts;

describe('docker-compose.yml', () => {
  const compose = readYaml<Obj>('docker-compose.yml');
  const services = compose.services as Record<string, Obj>;

  it('has Redis with AOF and a password, the API, one service per worker kind and the web front', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['redis', 'api', 'web', ...STREAM_KINDS.map((k) => `worker-${k}`)]));
    const redis = services.redis!.command.join(' ') as string;
    expect(redis).toMatch(/--appendonly yes/);
    expect(redis).toMatch(/--requirepass/);
    expect(redis).toMatch(/--maxmemory-policy noeviction/);
    for (const kind of STREAM_KINDS) expect(services[`worker-${kind}`]!.command).toEqual([kind]);
  });

  it('names only services, volumes and Dockerfiles that exist, and waits on health in order', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const dep of Object.keys(s.depends_on ?? {})) {
        expect(services, `${name} depends on ${dep}`).toHaveProperty(dep);
        expect(s.depends_on[dep].condition, `${name} → ${dep}`).toBe('service_healthy');
        // A dependency is healthy only if it has a health check (its own or its image's).
        const d = services[dep]!;
        expect(d.healthcheck !== undefined || /^Dockerfile\.(api|worker|web)$/.test(d.build?.dockerfile), dep).toBe(true);
      }
      if (s.build) expect(existsSync(repoPath(s.build.dockerfile)), s.build.dockerfile).toBe(true);
      for (const v of (s.volumes ?? []) as string[]) {
        const source = v.split(':')[0]!;
        if (!source.startsWith('.') && !source.startsWith('/')) expect(compose.volumes, `${name} volume ${source}`).toHaveProperty(source);
      }
    }
    expect(services.api!.depends_on).toHaveProperty('redis');
    expect(services.web!.depends_on).toHaveProperty('api');
  });

  it('keeps workers scalable with --scale: no container names, no published ports', () => {
    for (const kind of STREAM_KINDS) {
      const s = services[`worker-${kind}`]!;
      expect(s.container_name).toBeUndefined();
      expect(s.ports).toBeUndefined();
    }
    // Only the web front is public; monitoring UIs listen on the host's loopback only.
    const published = Object.entries(services).filter(([, s]) => s.ports);
    expect(published.filter(([, s]) => !(s.ports as string[]).every((p) => p.startsWith('127.0.0.1:'))).map(([n]) => n)).toEqual(['web']);
  });

  it('stops app containers later than SHUTDOWN_GRACE_MS', () => {
    const grace = Number(EnvSchema.shape.SHUTDOWN_GRACE_MS.parse(undefined));
    for (const name of ['api', ...STREAM_KINDS.map((k) => `worker-${k}`)]) {
      const m = /^(\d+)s$/.exec(services[name]!.stop_grace_period);
      expect(Number(m?.[1]) * 1000, name).toBeGreaterThan(grace);
    }
  });
});

describe('.gitlab-ci.yml', () => {
  const ci = readYaml<Obj>('.gitlab-ci.yml');
  const reserved = new Set(['stages', 'variables', 'workflow', 'default', 'include', 'image', 'services', 'cache', 'before_script', 'after_script']);
  const jobs = Object.fromEntries(Object.entries(ci).filter(([k]) => !reserved.has(k))) as Record<string, Obj>;
  const concrete = Object.entries(jobs).filter(([k]) => !k.startsWith('.'));
  const lines = (job: Obj): string[] => {
    const parent = job.extends ? jobs[job.extends] ?? {} : {};
    return [...(job.before_script ?? parent.before_script ?? []), ...(job.script ?? parent.script ?? [])];
  };

  it('runs lint and typecheck, tests with a Redis service, image builds and a deploy, in existing stages', () => {
    for (const [name, job] of concrete) {
      const stage = job.stage ?? jobs[job.extends]?.stage;
      expect(ci.stages, `${name} stage ${stage}`).toContain(stage);
      if (job.extends) expect(jobs, `${name} extends ${job.extends}`).toHaveProperty(job.extends);
      for (const need of job.needs ?? []) expect(jobs, `${name} needs ${need}`).toHaveProperty(need);
    }
    expect(jobs.test!.services.map((s: Obj) => s.name)).toEqual([expect.stringMatching(/^redis:7/)]);
    expect(jobs.test!.variables.REDIS_URL).toBe(`redis://${jobs.test!.services[0].alias}:6379`);
  });

  it('names only npm scripts and files that exist', () => {
    const all = concrete.flatMap(([, job]) => lines(job)).join('\n');
    const used = [...all.matchAll(/npm run (\S+)/g)].map((m) => m[1]!);
    expect(used.length).toBeGreaterThan(0);
    for (const s of used) expect(scripts, `npm run ${s}`).toHaveProperty(s);
    for (const m of all.matchAll(/bash (\S+)/g)) expect(existsSync(repoPath(m[1]!)), m[1]).toBe(true);
    const dockerfiles = concrete.map(([, j]) => j.variables?.DOCKERFILE).filter(Boolean);
    expect(dockerfiles.sort()).toEqual(['Dockerfile.api', 'Dockerfile.web', 'Dockerfile.worker']);
    for (const d of dockerfiles) expect(existsSync(repoPath(d))).toBe(true);
    expect(jobs['.image']!.script.join('\n')).toContain(':$CI_COMMIT_SHA');
  });

  it('deploys the prod overlay with the commit images and waits for every rollout it renders', () => {
    const deploy = jobs['deploy-prod']!;
    const script = (deploy.script as string[]).join('\n');
    const heredoc = /<<YAML\n([\s\S]*?)\nYAML/.exec(script)![1]!;
    const dir = repoPath('.deploy-test');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    try {
      const vars: Record<string, string> = { IMAGE_API: 'reg/api', IMAGE_WORKER: 'reg/worker', IMAGE_WEB: 'reg/web', CI_COMMIT_SHA: 'abc123' };
      const text = heredoc.replace(/\$([A-Z_]+)/g, (_, v: string) => vars[v] ?? ci.variables[v]);
      writeFileSync(`${dir}/kustomization.yaml`, text);
      expect(parseYamlDocuments(text, 'deploy kustomization')).toHaveLength(1);
      const objects = kustomizeBuild(dir);
      const images = objects.flatMap((o) => JSON.stringify(o).match(/"image":"[^"]+"/g) ?? []);
      for (const i of images.filter((x) => x.includes('reg/'))) expect(i).toMatch(/:abc123"$/);
      expect(images.filter((x) => x.includes('reg/')).length).toBe(5);
      const rollouts = [...script.matchAll(/rollout status (deployment|statefulset)\/(\S+)/g)].map((m) => `${m[1]}/${m[2]}`).sort();
      const workloads = objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet').map((o) => `${o.kind.toLowerCase()}/${o.metadata.name}`).sort();
      expect(rollouts).toEqual(workloads);
      const ns = objects.find((o) => o.kind === 'Namespace')!.metadata.name;
      expect(ci.variables.K8S_NAMESPACE).toBe(ns);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(script).toMatch(/kubectl apply -k \.deploy/);
  });
});
