import { describe, expect, it } from 'vitest';
import { STREAMING_NODE_OPTIONS, STREAMING_PROCESSES, withStreamingOptions } from '../../../src/config/node-options.js';
import { STREAM_KINDS } from '../../../src/redis/keys.js';
import type { K8sObject } from './support/kustomize.js';
import { byName, renderAll } from './support/render.js';
import { readYaml } from './support/repo.js';

type Obj = Record<string, any>;
const ALL = ['api', ...STREAM_KINDS.map((k) => `worker-${k}`)];
const streaming = new Set<string>(STREAMING_PROCESSES);

const nodeOptionsOf = (deployment: K8sObject): (string | undefined)[] =>
  ((deployment as Obj).spec.template.spec.containers as Obj[]).map((c) => (c.env as Obj[] | undefined)?.find((e) => e.name === 'NODE_OPTIONS')?.value);

describe('NODE_OPTIONS of the streaming processes (src/config/node-options.ts)', () => {
  it.each(renderAll())('k8s overlay $name sets them on the API and the export-worker only', ({ objects }) => {
    for (const name of ALL) {
      const got = nodeOptionsOf(byName(objects, 'Deployment', name));
      expect(got, name).toEqual([streaming.has(name) ? STREAMING_NODE_OPTIONS : undefined]);
    }
  });

  it('docker-compose sets them on the api and worker-export services only', () => {
    const services = readYaml<Obj>('docker-compose.yml').services as Record<string, Obj>;
    for (const name of ALL) expect(services[name]?.environment?.NODE_OPTIONS, name).toBe(streaming.has(name) ? STREAMING_NODE_OPTIONS : undefined);
  });

  it('keeps a caller’s own NODE_OPTIONS after ours, so they win', () => {
    expect(withStreamingOptions(undefined)).toBe(STREAMING_NODE_OPTIONS);
    expect(withStreamingOptions('--max-semi-space-size=8')).toBe(`${STREAMING_NODE_OPTIONS} --max-semi-space-size=8`);
  });
});
