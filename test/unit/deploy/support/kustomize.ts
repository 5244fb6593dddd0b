/**
 * A small `kustomize build` for the features k8s/ uses, so the tests render every overlay
 * without a kustomize binary: `resources` (files and directories), `patches` in JSON 6902 form
 * (inline or from a file, targets by group/version/kind/name/namespace), `namespace` and
 * `images`, applied in kustomize's order (patches → namespace → images). Any other field,
 * selector or patch form throws, so a manifest change that needs more is noticed here rather
 * than rendered wrongly. Where kubectl is installed, kustomize.test.ts compares the output with
 * `kubectl kustomize`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { applyJsonPatch, type PatchOp } from './json-patch.js';
import { isRecord, parseYamlDocuments, ROOT } from './repo.js';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

const SUPPORTED = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'images', 'patches']);

/** Kinds the namespace transformer leaves without a namespace (those k8s/ could plausibly use). */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PersistentVolume',
  'StorageClass', 'IngressClass', 'PriorityClass', 'ClusterSecretStore', 'ClusterExternalSecret',
  'ClusterTriggerAuthentication', 'ClusterIssuer', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration',
]);
/** Kinds whose namespace references kustomize also rewrites; not implemented here. */
const UNSUPPORTED_KINDS = new Set(['RoleBinding', 'ClusterRoleBinding']);

interface ImageRule { name: string; newName?: string; newTag?: string; digest?: string }
interface PatchRule { path?: string; patch?: string; target?: Record<string, unknown> }

/** `group/version/kind/namespace/name`, the identity kustomize uses to detect duplicates. */
export const objectId = (o: K8sObject): string =>
  `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

function kustomizationFile(dir: string): string {
  for (const name of ['kustomization.yaml', 'kustomization.yml', 'Kustomization']) {
    const file = join(dir, name);
    if (existsSync(file)) return file;
  }
  throw new Error(`${relative(ROOT, dir)}: no kustomization.yaml`);
}

function asObject(doc: unknown, source: string): K8sObject {
  if (!isRecord(doc) || typeof doc.apiVersion !== 'string' || typeof doc.kind !== 'string' ||
      !isRecord(doc.metadata) || typeof doc.metadata.name !== 'string') {
    throw new Error(`${source}: every document needs apiVersion, kind and metadata.name`);
  }
  if (UNSUPPORTED_KINDS.has(doc.kind)) throw new Error(`${source}: ${doc.kind} needs kustomize features this build lacks`);
  return doc as K8sObject;
}

function matchesTarget(o: K8sObject, target: Record<string, unknown>, source: string): boolean {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  const fields: Record<string, string | undefined> = {
    group, version, kind: o.kind, name: o.metadata.name, namespace: o.metadata.namespace,
  };
  for (const [key, want] of Object.entries(target)) {
    if (!(key in fields)) throw new Error(`${source}: patch target "${key}" is not supported`);
    // kustomize reads target fields as anchored regular expressions.
    if (!new RegExp(`^(?:${String(want)})$`).test(fields[key] ?? '')) return false;
  }
  return true;
}

function patchOps(rule: PatchRule, dir: string, source: string): PatchOp[] {
  const text = rule.patch ?? (rule.path ? readFileSync(resolve(dir, rule.path), 'utf8') : undefined);
  if (text === undefined) throw new Error(`${source}: a patch needs "patch" or "path"`);
  const [ops] = parseYamlDocuments(text, source);
  if (!Array.isArray(ops)) throw new Error(`${source}: only JSON 6902 patches (a list of operations) are supported`);
  return ops as PatchOp[];
}

function setImages(node: unknown, rules: ImageRule[]): void {
  if (Array.isArray(node)) return node.forEach((n) => setImages(n, rules));
  if (!isRecord(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if ((key === 'containers' || key === 'initContainers') && Array.isArray(value)) {
      for (const c of value) {
        if (!isRecord(c) || typeof c.image !== 'string') continue;
        const image = c.image;
        const rule = rules.find((r) => image === r.name || image.startsWith(`${r.name}:`) || image.startsWith(`${r.name}@`));
        if (!rule) continue;
        const tag = rule.digest ? `@${rule.digest}` : rule.newTag ? `:${rule.newTag}` : image.slice(rule.name.length);
        c.image = `${rule.newName ?? rule.name}${tag}`;
      }
    } else {
      setImages(value, rules);
    }
  }
}

/** Renders the kustomization in `dir` (absolute, or relative to the repository root). */
export function kustomizeBuild(dir: string): K8sObject[] {
  const abs = resolve(ROOT, dir);
  const file = kustomizationFile(abs);
  const source = relative(ROOT, file);
  const [k] = parseYamlDocuments(readFileSync(file, 'utf8'), source);
  if (!isRecord(k)) throw new Error(`${source}: not a mapping`);
  const unknown = Object.keys(k).filter((f) => !SUPPORTED.has(f));
  if (unknown.length > 0) throw new Error(`${source}: fields not supported by this build: ${unknown.join(', ')}`);

  let objects: K8sObject[] = [];
  for (const res of (k.resources ?? []) as string[]) {
    const path = resolve(abs, res);
    if (!existsSync(path)) throw new Error(`${source}: resource ${res} does not exist`);
    if (statSync(path).isDirectory()) objects.push(...kustomizeBuild(path));
    else objects.push(...parseYamlDocuments(readFileSync(path, 'utf8'), relative(ROOT, path)).map((d) => asObject(d, relative(ROOT, path))));
  }

  for (const rule of (k.patches ?? []) as PatchRule[]) {
    const ops = patchOps(rule, dirname(file), source);
    const hits = objects.filter((o) => matchesTarget(o, rule.target ?? {}, source));
    if (hits.length === 0) throw new Error(`${source}: patch target ${JSON.stringify(rule.target)} matches nothing`);
    objects = objects.map((o) => (hits.includes(o) ? applyJsonPatch(o, ops) : o));
  }

  if (typeof k.namespace === 'string') {
    const ns = k.namespace;
    objects = objects.map((o) => {
      const copy = structuredClone(o);
      if (o.kind === 'Namespace') copy.metadata.name = ns;
      else if (!CLUSTER_SCOPED.has(o.kind)) copy.metadata.namespace = ns;
      return copy;
    });
  }

  if (Array.isArray(k.images)) {
    objects = objects.map((o) => {
      const copy = structuredClone(o);
      setImages(copy, k.images as ImageRule[]);
      return copy;
    });
  }

  const seen = new Set<string>();
  for (const o of objects) {
    const id = objectId(o);
    if (seen.has(id)) throw new Error(`${source}: ${id} is defined twice`);
    seen.add(id);
  }
  return objects;
}
