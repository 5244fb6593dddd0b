import { describe, expect, it } from 'vitest';
import { ENV_KEYS, EnvSchema } from '../../../src/config/env.js';
import { RUNTIME_ENV_KEYS } from '../../../src/config/node-options.js';
import { createKeys, STREAM_KINDS } from '../../../src/redis/keys.js';
import type { K8sObject } from './support/kustomize.js';
import { byName, ofKind, renderAll } from './support/render.js';

type Obj = K8sObject & Record<string, any>;
type Labels = Record<string, string>;

const matches = (selector: Labels | undefined, labels: Labels | undefined) =>
  !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

const workloads = (objects: K8sObject[]) =>
  objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet') as Obj[];
const podLabels = (w: Obj): Labels => w.spec.template.metadata.labels;
const selected = (objects: K8sObject[], selector: Labels) =>
  workloads(objects).filter((w) => matches(selector, podLabels(w))).map((w) => w.metadata.name).sort();

describe.each(renderAll())('k8s overlay $name: references and wiring', ({ objects }) => {
  const ns = objects.find((o) => o.kind === 'Namespace')!.metadata.name;
  const config = byName(objects, 'ConfigMap', 'sheetdiff-config') as Obj;
  const data = config.data as Record<string, string>;
  const secretTargets = ofKind<Obj>(objects, 'ExternalSecret').map((e) => e.spec.target.name as string);
  const appNames = ['api', ...STREAM_KINDS.map((k) => `worker-${k}`)];

  it('selects its own pods from every workload, Service, PDB and NetworkPolicy', () => {
    for (const w of workloads(objects)) expect(matches(w.spec.selector.matchLabels, podLabels(w)), w.metadata.name).toBe(true);
    for (const s of ofKind<Obj>(objects, 'Service')) {
      const pods = workloads(objects).filter((w) => matches(s.spec.selector, podLabels(w)));
      expect(pods.length, `Service ${s.metadata.name} selects no pods`).toBeGreaterThan(0);
      for (const port of s.spec.ports) {
        const named = pods.every((w) => w.spec.template.spec.containers.some((c: Obj) => c.ports?.some((p: Obj) => p.name === port.targetPort)));
        expect(named, `Service ${s.metadata.name} targetPort ${port.targetPort}`).toBe(true);
      }
    }
    for (const pdb of ofKind<Obj>(objects, 'PodDisruptionBudget')) {
      expect(selected(objects, pdb.spec.selector.matchLabels), `PDB ${pdb.metadata.name}`).toHaveLength(1);
    }
  });

  it('lets only the API and the workers (and the KEDA operator) reach Redis', () => {
    const [policy] = ofKind<Obj>(objects, 'NetworkPolicy').filter((p) => selected(objects, p.spec.podSelector.matchLabels).includes('redis'));
    expect(policy, 'a NetworkPolicy selecting the Redis pods').toBeDefined();
    expect(policy!.spec.policyTypes).toContain('Ingress');
    const from = policy!.spec.ingress.flatMap((rule: Obj) => rule.from) as Obj[];
    const sameNamespace = from.filter((f) => f.podSelector && !f.namespaceSelector);
    const reach = [...new Set(sameNamespace.flatMap((f) => selected(objects, f.podSelector.matchLabels)))].sort();
    expect(reach).toEqual([...appNames].sort());
    const other = from.filter((f) => f.namespaceSelector);
    expect(other.map((f) => f.podSelector?.matchLabels?.['app.kubernetes.io/name'])).toEqual(['keda-operator']);
  });

  it('routes /, /api/ and /wechatpay/ over TLS to the web app and the API', () => {
    const [ingress] = ofKind<Obj>(objects, 'Ingress');
    const rule = ingress!.spec.rules[0];
    expect(ingress!.spec.tls.flatMap((t: Obj) => t.hosts)).toContain(rule.host);
    const route = (path: string) => {
      const p = rule.http.paths.find((x: Obj) => x.path === path);
      expect(p, `Ingress path ${path}`).toBeDefined();
      const svc = byName(objects, 'Service', p.backend.service.name) as Obj;
      expect(svc.spec.ports.map((x: Obj) => x.name)).toContain(p.backend.service.port.name);
      return selected(objects, svc.spec.selector);
    };
    expect(route('/api/')).toEqual(['api']);
    expect(route('/wechatpay/')).toEqual(['api']);
    expect(route('/')).toEqual(['web']);
    // Uploads carry two files of MAX_UPLOAD_BYTES.
    const body = /^(\d+)m$/.exec(ingress!.metadata.annotations!['nginx.ingress.kubernetes.io/proxy-body-size']!)!;
    expect(Number(body[1]) * 1024 * 1024).toBeGreaterThanOrEqual(2 * Number(data.MAX_UPLOAD_BYTES));
  });

  it('autoscales the API on CPU', () => {
    const [hpa] = ofKind<Obj>(objects, 'HorizontalPodAutoscaler');
    expect(hpa!.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'api' });
    expect(hpa!.spec.metrics[0].resource.name).toBe('cpu');
    expect(hpa!.spec.maxReplicas).toBeGreaterThan(hpa!.spec.minReplicas);
  });

  it("scales each worker kind with KEDA on its own stream's consumer-group lag", () => {
    const keys = createKeys(data.REDIS_PREFIX || (EnvSchema.shape.REDIS_PREFIX.parse(undefined) as string));
    const redisSvc = byName(objects, 'Service', 'redis') as Obj;
    const scaled = ofKind<Obj>(objects, 'ScaledObject');
    expect(scaled.map((s) => s.spec.scaleTargetRef.name).sort()).toEqual(STREAM_KINDS.map((k) => `worker-${k}`).sort());
    for (const kind of STREAM_KINDS) {
      const s = scaled.find((x) => x.spec.scaleTargetRef.name === `worker-${kind}`)!;
      byName(objects, 'Deployment', `worker-${kind}`);
      expect(s.spec.minReplicaCount).toBeGreaterThanOrEqual(1);
      expect(s.spec.maxReplicaCount).toBeGreaterThanOrEqual(s.spec.minReplicaCount);
      const [trigger] = s.spec.triggers;
      expect(trigger.type).toBe('redis-streams');
      expect(trigger.metadata.stream).toBe(keys.stream(kind));
      expect(trigger.metadata.consumerGroup).toBe(keys.group(kind));
      expect(trigger.metadata.lagCount).toMatch(/^[1-9][0-9]*$/);
      // KEDA runs in its own namespace: the address must name this one.
      expect(trigger.metadata.address).toBe(`redis.${ns}.svc.cluster.local:${redisSvc.spec.ports[0].port}`);
      const auth = byName(objects, 'TriggerAuthentication', trigger.authenticationRef.name) as Obj;
      for (const ref of auth.spec.secretTargetRef) expect(secretTargets).toContain(ref.name);
    }
  });

  it('gives every app pod the ConfigMap and the Vault secret, and only schema variables', () => {
    const stores = ofKind<Obj>(objects, 'SecretStore').map((s) => s.metadata.name);
    for (const e of ofKind<Obj>(objects, 'ExternalSecret')) expect(stores).toContain(e.spec.secretStoreRef.name);
    for (const name of appNames) {
      const [c] = (byName(objects, 'Deployment', name) as Obj).spec.template.spec.containers as Obj[];
      expect(c!.envFrom).toEqual([{ configMapRef: { name: 'sheetdiff-config' } }, { secretRef: { name: 'sheetdiff-secrets' } }]);
      for (const e of c!.env ?? []) expect([...ENV_KEYS, ...RUNTIME_ENV_KEYS] as string[], `${name} sets ${e.name}`).toContain(e.name);
    }
    expect(secretTargets).toContain('sheetdiff-secrets');
    for (const w of workloads(objects)) {
      for (const c of w.spec.template.spec.containers as Obj[]) {
        for (const e of c.env ?? []) {
          const ref = e.valueFrom?.secretKeyRef;
          if (ref) expect(secretTargets, `${w.metadata.name} reads Secret ${ref.name}`).toContain(ref.name);
        }
      }
    }
  });

  it('runs Redis with AOF on a persistent volume and a password', () => {
    const redis = byName(objects, 'StatefulSet', 'redis') as Obj;
    const conf = (byName(objects, 'ConfigMap', 'redis-config') as Obj).data['redis.conf'] as string;
    expect(conf).toMatch(/^appendonly yes$/m);
    expect(conf).toMatch(/^maxmemory-policy noeviction$/m);
    expect(redis.spec.volumeClaimTemplates[0].metadata.name).toBe('data');
    const [c] = redis.spec.template.spec.containers as Obj[];
    expect(c!.volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
    expect(c!.args).toContain('--requirepass');
  });
});
