/**
 * The key assistant's report as the key step shows it: one row per column of the old file with
 * its uniqueness and completeness in both files, and the verdict on the chosen key.
 */
import type { KeyReport } from '../../../src/contracts/inspect.js';

type Profile = KeyReport['files'][number]['columns'][number];

export interface KeyColumnRow {
  name: string;
  letter: string;
  /** Profile in the old file, then in the new one (absent when that file lacks the column). */
  profiles: (Profile | undefined)[];
  /** Present in every file: can be (part of) the key. */
  inAll: boolean;
  /** Unique and complete in every file: a key by itself. */
  keyAlone: boolean;
}

const norm = (s: string) => s.trim().toLowerCase();

/** Splits the key field (`id, region` or `A,C`) into its columns. */
export function parseKey(field: string): string[] {
  return field.split(',').map((k) => k.trim()).filter(Boolean);
}

/** Two keys name the same columns in the same order (header names compared as the API does). */
export function sameKey(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => norm(x) === norm(b[i]!));
}

/** Rows of the column table, in the old file's order. */
export function keyColumnRows(report: KeyReport): KeyColumnRow[] {
  const [first, ...rest] = report.files;
  if (!first) return [];
  return first.columns.map((c) => {
    const profiles = [c, ...rest.map((f) => f.columns.find((x) => norm(x.name) === norm(c.name)))];
    const inAll = profiles.every(Boolean);
    return { name: c.name, letter: c.letter, profiles, inAll, keyAlone: inAll && profiles.every((p) => p!.uniqueness === 1 && p!.completeness === 1) };
  });
}

/**
 * What the report says about `key`: `unique` (a suggested key: unique and complete in every
 * file), `duplicates` (the report lists its duplicate groups, some non-empty), `clean` (listed,
 * none found), or `unknown` (the report was made for another key).
 */
export function keyVerdict(report: KeyReport, key: readonly string[]): 'unique' | 'duplicates' | 'clean' | 'unknown' {
  if (key.length === 0) return 'unknown';
  if (report.suggestedKeys.some((k) => sameKey(k, key))) return 'unique';
  if (!sameKey(report.duplicatesFor, key)) return 'unknown';
  return report.duplicates.some((groups) => groups.length > 0) ? 'duplicates' : 'clean';
}

/** `99.9%`, never rounding up to 100% what is not all, nor down to 0% what is some. */
export function percent(v: number): string {
  if (v > 0 && v < 0.001) return '<0.1%';
  return `${v >= 1 ? 100 : Math.floor(v * 1000) / 10}%`;
}
