/**
 * Renders every overlay under k8s/overlays once per test file.
 */
import { readdirSync } from 'node:fs';
import { kustomizeBuild, type K8sObject } from './kustomize.js';
import { repoPath } from './repo.js';

export interface Rendered { name: string; dir: string; objects: K8sObject[] }

export const OVERLAYS = readdirSync(repoPath('k8s/overlays'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

export function renderAll(): Rendered[] {
  return OVERLAYS.map((name) => {
    const dir = `k8s/overlays/${name}`;
    return { name, dir, objects: kustomizeBuild(dir) };
  });
}

export const ofKind = <T = K8sObject>(objects: K8sObject[], kind: string): (K8sObject & T)[] =>
  objects.filter((o) => o.kind === kind) as (K8sObject & T)[];

export function byName(objects: K8sObject[], kind: string, name: string): K8sObject {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} named ${name}`);
  return o;
}
