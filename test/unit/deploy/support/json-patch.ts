/**
 * JSON Patch (RFC 6902) add / replace / remove / test, the operations kustomize's `patches`
 * accept in their JSON 6902 form. Works on a deep copy; an invalid path throws.
 */
import { isRecord } from './repo.js';

export interface PatchOp {
  op: 'add' | 'replace' | 'remove' | 'test';
  path: string;
  value?: unknown;
}

const unescape = (token: string) => token.replace(/~1/g, '/').replace(/~0/g, '~');

function tokens(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new Error(`JSON pointer must start with "/": ${path}`);
  return path.slice(1).split('/').map(unescape);
}

function arrayIndex(arr: unknown[], token: string, forAdd: boolean, path: string): number {
  if (forAdd && token === '-') return arr.length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new Error(`${path}: "${token}" is not an array index`);
  const i = Number(token);
  if (i > arr.length || (!forAdd && i === arr.length)) throw new Error(`${path}: index ${i} out of range`);
  return i;
}

/** Applies the operations in order to a copy of `doc` and returns it. */
export function applyJsonPatch<T>(doc: T, ops: PatchOp[]): T {
  let root: unknown = structuredClone(doc);
  for (const { op, path, value } of ops) {
    const parts = tokens(path);
    if (parts.length === 0) {
      if (op === 'replace' || op === 'add') root = structuredClone(value);
      else throw new Error(`${op} on the document root is not supported`);
      continue;
    }
    let parent: unknown = root;
    for (const t of parts.slice(0, -1)) {
      if (Array.isArray(parent)) parent = parent[arrayIndex(parent, t, false, path)];
      else if (isRecord(parent) && t in parent) parent = parent[t];
      else throw new Error(`${op} ${path}: "${t}" does not exist`);
    }
    const last = parts[parts.length - 1]!;
    if (Array.isArray(parent)) {
      const i = arrayIndex(parent, last, op === 'add', path);
      if (op === 'add') parent.splice(i, 0, structuredClone(value));
      else if (op === 'replace') parent[i] = structuredClone(value);
      else if (op === 'remove') parent.splice(i, 1);
      else if (JSON.stringify(parent[i]) !== JSON.stringify(value)) throw new Error(`test ${path} failed`);
    } else if (isRecord(parent)) {
      const exists = last in parent;
      if (op !== 'add' && !exists) throw new Error(`${op} ${path}: "${last}" does not exist`);
      if (op === 'add' || op === 'replace') parent[last] = structuredClone(value);
      else if (op === 'remove') delete parent[last];
      else if (JSON.stringify(parent[last]) !== JSON.stringify(value)) throw new Error(`test ${path} failed`);
    } else {
      throw new Error(`${op} ${path}: parent is not an object or array`);
    }
  }
  return root as T;
}
