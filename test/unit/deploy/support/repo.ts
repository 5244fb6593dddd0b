/**
 * Repository paths and small readers shared by the deployment checks.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, parse as parseYaml } from 'yaml';

/** Absolute path of the repository root. */
export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** Absolute path of a repository file. */
export const repoPath = (rel: string): string => fileURLToPath(new URL(rel, `file://${ROOT}`));

export const readText = (rel: string): string => readFileSync(repoPath(rel), 'utf8');

/** A YAML file with exactly one document; YAML syntax errors throw with their position. */
export function readYaml<T = unknown>(rel: string): T {
  return parseYaml(readText(rel), { strict: true, uniqueKeys: true, merge: true }) as T;
}

/** Every non-empty document of a multi-document YAML text. */
export function parseYamlDocuments(text: string, source: string): unknown[] {
  return parseAllDocuments(text, { strict: true, uniqueKeys: true, merge: true })
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors.map((e) => e.message).join('; ')}`);
      return doc.toJS() as unknown;
    })
    .filter((d) => d !== null && d !== undefined);
}

/** `KEY=value` lines of an env file (comments and blank lines skipped), in file order. */
export function parseEnvFile(text: string): { key: string; value: string; line: number }[] {
  const out: { key: string; value: string; line: number }[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) throw new Error(`line ${i + 1} is neither a comment nor KEY=value: ${raw}`);
    out.push({ key: m[1]!, value: m[2]!, line: i + 1 });
  });
  return out;
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
