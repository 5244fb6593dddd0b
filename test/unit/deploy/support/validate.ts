/**
 * Validates rendered manifests against the Kubernetes, KEDA and External Secrets schemas that
 * the kubernetes-models packages compile (ajv), plus what `kubectl apply`'s strict field
 * validation adds: fields the schema does not know are errors.
 *
 * Unknown fields: the compiled validators read every property their schema declares, so each
 * object is wrapped in a recording proxy; an own key the validator never read is unknown. An
 * object whose keys the validator enumerates (a map such as labels or a ConfigMap's data) or
 * never reads at all (free-form, e.g. a KEDA trigger's metadata) is not judged.
 *
 * External Secrets v1 objects are checked with the v1beta1 schema: the packages that run on
 * Node 20 stop at v1beta1, and ESO promoted v1beta1 to v1 unchanged.
 */
import * as esoV1beta1 from '@kubernetes-models/external-secrets/external-secrets.io/v1beta1';
import * as kedaV1alpha1 from '@kubernetes-models/keda/keda.sh/v1alpha1';
import * as appsV1 from 'kubernetes-models/apps/v1';
import * as autoscalingV2 from 'kubernetes-models/autoscaling/v2';
import * as networkingV1 from 'kubernetes-models/networking.k8s.io/v1';
import * as policyV1 from 'kubernetes-models/policy/v1';
import * as coreV1 from 'kubernetes-models/v1';
import type { K8sObject } from './kustomize.js';
import { isRecord } from './repo.js';

type Validator = (data: unknown) => void;

const ALIASES: Record<string, string> = { 'external-secrets.io/v1': 'external-secrets.io/v1beta1' };

function registry(): Map<string, Validator> {
  const map = new Map<string, Validator>();
  for (const mod of [coreV1, appsV1, autoscalingV2, networkingV1, policyV1, kedaV1alpha1, esoV1beta1]) {
    for (const value of Object.values(mod) as unknown[]) {
      if (typeof value !== 'function') continue;
      const cls = value as { apiVersion?: unknown; kind?: unknown; prototype: { validate?: () => void } };
      const validate = cls.prototype?.validate;
      if (typeof cls.apiVersion !== 'string' || typeof cls.kind !== 'string' || !validate) continue;
      map.set(`${cls.apiVersion}/${cls.kind}`, (data) => validate.call(data));
    }
  }
  return map;
}

const VALIDATORS = registry();

interface Seen { value: Record<string, unknown>; path: string; read: Set<string>; enumerated: boolean }

function record(value: unknown, path: string, seen: Seen[]): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const entry: Seen | undefined = isRecord(value) ? { value, path, read: new Set(), enumerated: false } : undefined;
  if (entry) seen.push(entry);
  const children = new Map<string | symbol, unknown>();
  return new Proxy(value, {
    get(target, prop, receiver) {
      if (typeof prop === 'string') entry?.read.add(prop);
      const child = Reflect.get(target, prop, receiver) as unknown;
      if (typeof prop !== 'string' || typeof child !== 'object' || child === null) return child;
      if (!children.has(prop)) children.set(prop, record(child, `${path}/${prop}`, seen));
      return children.get(prop);
    },
    has(target, prop) {
      if (typeof prop === 'string') entry?.read.add(prop);
      return Reflect.has(target, prop);
    },
    ownKeys(target) {
      if (entry) entry.enumerated = true;
      return Reflect.ownKeys(target);
    },
  });
}

/** Schema errors of one object (empty when valid), each prefixed with the object's identity. */
export function validateObject(o: K8sObject): string[] {
  const id = `${o.kind}/${o.metadata?.name ?? '?'}`;
  const apiVersion = ALIASES[o.apiVersion] ?? o.apiVersion;
  const validate = VALIDATORS.get(`${apiVersion}/${o.kind}`);
  if (!validate) return [`${id}: no schema for ${o.apiVersion} ${o.kind}`];
  const seen: Seen[] = [];
  const errors: string[] = [];
  try {
    validate(record({ ...o, apiVersion }, '', seen));
  } catch (err) {
    errors.push(`${id}: ${(err as Error).message}`);
  }
  for (const s of seen) {
    if (s.enumerated || s.read.size === 0) continue;
    for (const key of Object.keys(s.value)) {
      if (!s.read.has(key)) errors.push(`${id}: unknown field ${s.path}/${key}`);
    }
  }
  return errors;
}

/** Kinds this validator has schemas for (for the test output). */
export const knownKinds = (): number => VALIDATORS.size;
