import { describe, expect, it } from 'vitest';
import { STREAMING_MALLOC_ARENA_MAX, STREAMING_NODE_OPTIONS, STREAMING_PROCESSES, streamingEnv, withStreamingOptions } from '../../../src/config/node-options.js';
import { STREAM_KINDS } from '../../../src/redis/keys.js';
import type { K8sObject } from './support/kustomize.js';
import { byName, renderAll } from './support/render.js';
import { readYaml } from './support/repo.js';

type Obj = Record<string, any>;
const ALL = ['api', ...STREAM_KINDS.map((k) => `worker-${k}`)];
const streaming = new Set<string>(STREAMING_PROCESSES);

const envOf = (deployment: K8sObject, key: string): (string | undefined)[] =>
  ((deployment as Obj).spec.template.spec.containers as Obj[]).map((c) => (c.env as Obj[] | undefined)?.find((e) => e.name === key)?.value);

describe('NODE_OPTIONS and MALLOC_ARENA_MAX of the streaming processes (src/config/node-options.ts)', () => {
  it.each(renderAll())('k8s overlay $name sets them on the API and the export-worker only', ({ objects }) => {
    for (const name of ALL) {
      const d = byName(objects, 'Deployment', name);
      expect(envOf(d, 'NODE_OPTIONS'), name).toEqual([streaming.has(name) ? STREAMING_NODE_OPTIONS : undefined]);
      expect(envOf(d, 'MALLOC_ARENA_MAX'), name).toEqual([streaming.has(name) ? STREAMING_MALLOC_ARENA_MAX : undefined]);
    }
  });

  it('docker-compose sets them on the api and worker-export services only', () => {
    const services = readYaml<Obj>('docker-compose.yml').services as Record<string, Obj>;
    for (const name of ALL) {
      expect(services[name]?.environment?.NODE_OPTIONS, name).toBe(streaming.has(name) ? STREAMING_NODE_OPTIONS : undefined);
      expect(services[name]?.environment?.MALLOC_ARENA_MAX, name).toBe(streaming.has(name) ? STREAMING_MALLOC_ARENA_MAX : undefined);
    }
  });

  it('keeps a caller’s own NODE_OPTIONS after ours, so they win', () => {
    expect(withStreamingOptions(undefined)).toBe(STREAMING_NODE_OPTIONS);
    expect(withStreamingOptions('--max-semi-space-size=8')).toBe(`${STREAMING_NODE_OPTIONS} --max-semi-space-size=8`);
    expect(streamingEnv({})).toEqual({ NODE_OPTIONS: STREAMING_NODE_OPTIONS, MALLOC_ARENA_MAX: '1' });
    expect(streamingEnv({ NODE_OPTIONS: '--inspect', MALLOC_ARENA_MAX: '4' })).toEqual({ NODE_OPTIONS: `${STREAMING_NODE_OPTIONS} --inspect`, MALLOC_ARENA_MAX: '4' });
  });
});
