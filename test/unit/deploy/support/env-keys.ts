/**
 * Where each config schema variable must appear, and a report of what is missing or extra,
 * written for whoever adds a variable to src/config/env.ts: it names the file and the line to add.
 */
import { ENV_KEYS } from '../../../../src/config/env.js';
import { readText, parseEnvFile } from './repo.js';

export interface SecretList { secrets: string[]; notSecret?: string[] }

/** Names that look like credentials; such a variable must be listed as a secret or reviewed as not one. */
export const SECRET_LOOKING = /SECRET|PASSWORD|PRIVATE_KEY|API_V3_KEY|TOKEN|ACCESS_KEY/;

export interface KeySource {
  /** Where the keys live, as shown to the reader (file and place in it). */
  where: string;
  keys: string[];
  /** Which schema keys belong here (default: all of them). */
  expected: (key: string) => boolean;
  /** What to add for a missing key. */
  hint: (key: string) => string;
}

export interface KeyProblem { key: string; problem: string }

export function readSecretList(): SecretList {
  return JSON.parse(readText('deploy/secret-keys.json')) as SecretList;
}

/** Compares each source with the schema; returns one line per missing or extra key. */
export function compareKeys(sources: KeySource[], schemaKeys: readonly string[] = ENV_KEYS): KeyProblem[] {
  const schema = new Set<string>(schemaKeys);
  const problems: KeyProblem[] = [];
  for (const src of sources) {
    const have = new Set(src.keys);
    for (const key of schemaKeys) {
      if (src.expected(key) && !have.has(key)) problems.push({ key, problem: `missing from ${src.where} → ${src.hint(key)}` });
    }
    for (const key of src.keys) {
      if (!schema.has(key)) problems.push({ key, problem: `extra in ${src.where}: not a variable of src/config/env.ts (remove it, or add it to the schema)` });
      else if (!src.expected(key)) problems.push({ key, problem: `misplaced in ${src.where}: ${src.hint(key)}` });
    }
    const dupes = src.keys.filter((k, i) => src.keys.indexOf(k) !== i);
    for (const key of new Set(dupes)) problems.push({ key, problem: `listed twice in ${src.where}` });
  }
  return problems;
}

/** Secret-looking names that are in neither list of deploy/secret-keys.json. */
export function unreviewedSecretLookalikes(list: SecretList, schemaKeys: readonly string[] = ENV_KEYS): KeyProblem[] {
  const reviewed = new Set([...list.secrets, ...(list.notSecret ?? [])]);
  return schemaKeys
    .filter((k) => SECRET_LOOKING.test(k) && !reviewed.has(k))
    .map((key) => ({
      key,
      problem: 'looks like a credential: add it to "secrets" in deploy/secret-keys.json (then to k8s/base/external-secrets.yaml), or to "notSecret" if it is not one',
    }));
}

/** Formats problems grouped by key, for assertion messages and the test log. */
export function formatProblems(problems: KeyProblem[]): string {
  const byKey = new Map<string, string[]>();
  for (const p of problems) byKey.set(p.key, [...(byKey.get(p.key) ?? []), p.problem]);
  return [...byKey].map(([key, list]) => `${key}\n${list.map((l) => `    - ${l}`).join('\n')}`).join('\n');
}

/** Keys and values of env.prod.example, and the keys that lack a comment on the line above. */
export function readEnvExample(): { keys: string[]; values: Map<string, string>; uncommented: string[] } {
  const text = readText('env.prod.example');
  const lines = text.split('\n');
  const entries = parseEnvFile(text);
  // Every key has its own comment on the line right above it.
  const uncommented = entries
    .filter((e) => !(lines[e.line - 2] ?? '').trim().startsWith('#'))
    .map((e) => `${e.key} (line ${e.line})`);
  return { keys: entries.map((e) => e.key), values: new Map(entries.map((e) => [e.key, e.value])), uncommented };
}
