import { describe, expect, it } from 'vitest';
import type { K8sObject } from './support/kustomize.js';
import { renderAll } from './support/render.js';
import { validateObject } from './support/validate.js';

const rendered = renderAll();

describe('k8s manifests against the Kubernetes, KEDA and External Secrets schemas', () => {
  it('has 0 schema errors across every rendered object of every overlay', () => {
    const errors = rendered.flatMap((r) => r.objects.flatMap(validateObject).map((e) => `${r.name}: ${e}`));
    const total = rendered.reduce((n, r) => n + r.objects.length, 0);
    console.log(`k8s schema check: ${total} objects in ${rendered.length} overlays (${rendered.map((r) => `${r.name} ${r.objects.length}`).join(', ')}), ${errors.length} schema errors`);
    expect(errors, errors.join('\n')).toEqual([]);
  });

  // The validator must be able to fail: wrong types, missing fields, unknown fields, unknown kinds.
  it('reports a broken Deployment, ScaledObject, ExternalSecret and an unknown kind', () => {
    const objects = rendered[0]!.objects;
    const pick = (kind: string) => structuredClone(objects.find((o) => o.kind === kind)!) as K8sObject & Record<string, any>;

    const deployment = pick('Deployment');
    deployment.spec.replicas = 'two';
    deployment.spec.template.spec.containers[0].readinesProbe = deployment.spec.template.spec.containers[0].readinessProbe;
    deployment.spec.template.spec.containers[0].securityContext.readOnlyRootFilesytem = true;
    const dErrors = validateObject(deployment).join('\n');
    expect(dErrors).toMatch(/replicas must be integer/);
    expect(dErrors).toMatch(/unknown field \/spec\/template\/spec\/containers\/0\/readinesProbe/);
    expect(dErrors).toMatch(/unknown field .*readOnlyRootFilesytem/);

    const scaled = pick('ScaledObject');
    delete scaled.spec.triggers;
    scaled.spec.minReplicas = 1;
    const sErrors = validateObject(scaled).join('\n');
    expect(sErrors).toMatch(/required property triggers/);
    expect(sErrors).toMatch(/unknown field \/spec\/minReplicas/);

    const external = pick('ExternalSecret');
    delete external.spec.data[0].remoteRef;
    expect(validateObject(external).join('\n')).toMatch(/remoteRef/);

    expect(validateObject({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } })).toEqual([
      'Widget/w: no schema for example.com/v1 Widget',
    ]);
  });
});
