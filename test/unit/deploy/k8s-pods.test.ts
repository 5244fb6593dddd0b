import { describe, expect, it } from 'vitest';
import { EnvSchema } from '../../../src/config/env.js';
import { STREAM_KINDS } from '../../../src/redis/keys.js';
import type { K8sObject } from './support/kustomize.js';
import { byName, renderAll } from './support/render.js';

type Obj = K8sObject & Record<string, any>;

const parseQuantity = (q: string): number => {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti)?$/.exec(q);
  if (!m) throw new Error(`quantity ${q}`);
  return Number(m[1]) * 1024 ** ['', 'Ki', 'Mi', 'Gi', 'Ti'].indexOf(m[2] ?? '');
};
const preStopSeconds = (c: Obj): number => {
  const cmd = c.lifecycle?.preStop?.exec?.command as string[] | undefined;
  return cmd?.[0] === 'sleep' ? Number(cmd[1]) : 0;
};

describe.each(renderAll())('k8s overlay $name: pods', ({ objects }) => {
  const data = (byName(objects, 'ConfigMap', 'sheetdiff-config') as Obj).data as Record<string, string>;
  const workloads = objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet') as Obj[];
  const setting = (key: keyof typeof EnvSchema.shape): number =>
    Number(data[key] || EnvSchema.shape[key].parse(undefined));

  it('holds only values the config schema accepts in the ConfigMap', () => {
    const bad = Object.entries(data)
      .filter(([, v]) => v !== '')
      .filter(([k, v]) => {
        const field = EnvSchema.shape[k as keyof typeof EnvSchema.shape];
        return field !== undefined && !field.safeParse(v).success;
      })
      .map(([k, v]) => `${k}=${v}`);
    expect(bad).toEqual([]);
  });

  it('runs every container non-root on a read-only root filesystem without privileges', () => {
    for (const w of workloads) {
      const pod = w.spec.template.spec;
      expect(pod.securityContext.runAsNonRoot, w.metadata.name).toBe(true);
      expect(pod.securityContext.runAsUser, w.metadata.name).toBeGreaterThan(0);
      expect(pod.automountServiceAccountToken, w.metadata.name).toBe(false);
      for (const c of pod.containers as Obj[]) {
        expect(c.securityContext, `${w.metadata.name}/${c.name}`).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
        expect(c.resources.requests).toHaveProperty('cpu');
        expect(c.resources.requests).toHaveProperty('memory');
        expect(c.resources.limits).toHaveProperty('memory');
        expect(c.livenessProbe, `${w.metadata.name} liveness`).toBeDefined();
        expect(c.readinessProbe, `${w.metadata.name} readiness`).toBeDefined();
        const volumes = new Set((pod.volumes ?? []).map((v: Obj) => v.name));
        for (const claim of w.spec.volumeClaimTemplates ?? []) volumes.add(claim.metadata.name);
        for (const m of c.volumeMounts ?? []) expect(volumes.has(m.name), `${w.metadata.name} mounts ${m.name}`).toBe(true);
      }
    }
  });

  it('gives the API and the workers a sized scratch volume at DATA_DIR and a writable /tmp', () => {
    for (const name of ['api', ...STREAM_KINDS.map((k) => `worker-${k}`)]) {
      const pod = (byName(objects, 'Deployment', name) as Obj).spec.template.spec;
      const [c] = pod.containers as Obj[];
      const volumeAt = (path: string) => pod.volumes.find((v: Obj) => v.name === c!.volumeMounts.find((m: Obj) => m.mountPath === path)?.name);
      const scratch = volumeAt(data.DATA_DIR!);
      expect(scratch?.emptyDir?.sizeLimit, `${name}: emptyDir at DATA_DIR ${data.DATA_DIR}`).toBeDefined();
      expect(volumeAt('/tmp')?.emptyDir, `${name}: /tmp`).toBeDefined();
      // The pod's ephemeral-storage limit covers its emptyDirs.
      const emptyDirs = pod.volumes.reduce((n: number, v: Obj) => n + (v.emptyDir?.sizeLimit ? parseQuantity(v.emptyDir.sizeLimit) : 0), 0);
      expect(parseQuantity(c!.resources.limits['ephemeral-storage']), name).toBeGreaterThanOrEqual(emptyDirs);
    }
    const size = (name: string) => parseQuantity((byName(objects, 'Deployment', name) as Obj).spec.template.spec.volumes[0].emptyDir.sizeLimit);
    // Compare holds two inputs, spill files and two rendered artefacts at once.
    expect(size('worker-compare')).toBeGreaterThanOrEqual(4 * setting('MAX_UPLOAD_BYTES'));
    expect(size('api')).toBeGreaterThanOrEqual(2 * setting('MAX_UPLOAD_BYTES'));
  });

  it('waits longer than SHUTDOWN_GRACE_MS plus the preStop pause before killing a pod', () => {
    const grace = setting('SHUTDOWN_GRACE_MS');
    for (const name of ['api', ...STREAM_KINDS.map((k) => `worker-${k}`)]) {
      const pod = (byName(objects, 'Deployment', name) as Obj).spec.template.spec;
      const pause = preStopSeconds(pod.containers[0]) * 1000;
      expect(pod.terminationGracePeriodSeconds * 1000, name).toBeGreaterThanOrEqual(grace + pause + 5_000);
    }
  });

  it('probes the API on PORT and each worker on its health port METRICS_PORT, running its own kind', () => {
    const api = (byName(objects, 'Deployment', 'api') as Obj).spec.template.spec.containers[0];
    expect(api.ports).toContainEqual({ name: 'http', containerPort: setting('PORT') });
    expect(api.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(api.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    for (const kind of STREAM_KINDS) {
      const c = (byName(objects, 'Deployment', `worker-${kind}`) as Obj).spec.template.spec.containers[0];
      expect(c.args).toEqual([kind]);
      expect(c.ports).toContainEqual({ name: 'health', containerPort: setting('METRICS_PORT') });
      expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'health' });
      expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'health' });
      expect(c.env).toContainEqual({ name: 'WORKER_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
    }
  });
});
