import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyJsonPatch } from './support/json-patch.js';
import { kustomizeBuild, objectId, type K8sObject } from './support/kustomize.js';
import { parseYamlDocuments, repoPath } from './support/repo.js';
import { OVERLAYS } from './support/render.js';

const kubectl = (() => {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const sorted = (objects: K8sObject[]) => [...objects].sort((a, b) => objectId(a).localeCompare(objectId(b)));

describe('kustomize build of k8s/', () => {
  it.each(OVERLAYS)('renders overlay %s with a namespace on every namespaced object', (name) => {
    const objects = kustomizeBuild(`k8s/overlays/${name}`);
    expect(objects.length).toBeGreaterThan(20);
    const ns = objects.find((o) => o.kind === 'Namespace')!.metadata.name;
    for (const o of objects.filter((x) => x.kind !== 'Namespace')) expect(o.metadata.namespace, objectId(o)).toBe(ns);
    for (const o of objects) {
      const images = JSON.stringify(o).match(/"image":"[^"]+"/g) ?? [];
      for (const image of images) expect(image, `${objectId(o)} uses an image the overlay does not pin`).toMatch(/[:@]/);
    }
  });

  // The same output as the real kustomize wherever kubectl is installed (it is not on every CI machine).
  it.runIf(kubectl).each(OVERLAYS)('matches `kubectl kustomize` for overlay %s', (name) => {
    const real = parseYamlDocuments(execFileSync('kubectl', ['kustomize', repoPath(`k8s/overlays/${name}`)], { encoding: 'utf8' }), 'kubectl') as K8sObject[];
    expect(sorted(kustomizeBuild(`k8s/overlays/${name}`))).toEqual(sorted(real));
  });

  it('refuses kustomization fields it does not implement instead of ignoring them', () => {
    const dir = mkdtempSync(join(repoPath('k8s'), '.tmp-'));
    try {
      writeFileSync(join(dir, 'kustomization.yaml'), 'resources: []\nnamePrefix: x-\n');
      expect(() => kustomizeBuild(dir)).toThrow(/namePrefix/);
      writeFileSync(join(dir, 'kustomization.yaml'), 'resources: [../base]\npatches:\n  - target: { kind: Deployment, name: api }\n    patch: |-\n      spec: { replicas: 3 }\n');
      expect(() => kustomizeBuild(dir)).toThrow(/JSON 6902/);
      writeFileSync(join(dir, 'kustomization.yaml'), 'resources: [../base]\npatches:\n  - target: { kind: Deployment, name: apii }\n    patch: |-\n      - { op: replace, path: /spec/replicas, value: 3 }\n');
      expect(() => kustomizeBuild(dir)).toThrow(/matches nothing/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('JSON 6902 patches', () => {
  const doc = { metadata: { annotations: { 'cert-manager.io/cluster-issuer': 'a' } }, spec: { list: [1, 2, 3] } };

  it('adds, replaces, removes and tests, with ~1 and ~0 escapes', () => {
    const out = applyJsonPatch(doc, [
      { op: 'replace', path: '/metadata/annotations/cert-manager.io~1cluster-issuer', value: 'b' },
      { op: 'add', path: '/spec/list/-', value: 4 },
      { op: 'add', path: '/spec/list/0', value: 0 },
      { op: 'remove', path: '/spec/list/1' },
      { op: 'add', path: '/spec/new~0key', value: true },
      { op: 'test', path: '/spec/list', value: [0, 2, 3, 4] },
    ]);
    expect(out).toEqual({ metadata: { annotations: { 'cert-manager.io/cluster-issuer': 'b' } }, spec: { list: [0, 2, 3, 4], 'new~key': true } });
    expect(doc.spec.list).toEqual([1, 2, 3]);
  });

  it('fails on paths that do not exist, as kustomize does', () => {
    expect(() => applyJsonPatch(doc, [{ op: 'replace', path: '/spec/missing', value: 1 }])).toThrow(/does not exist/);
    expect(() => applyJsonPatch(doc, [{ op: 'replace', path: '/spec/list/3', value: 1 }])).toThrow(/out of range/);
    expect(() => applyJsonPatch(doc, [{ op: 'test', path: '/spec/list/0', value: 9 }])).toThrow(/test/);
  });
});
