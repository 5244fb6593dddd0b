/**
 * Job fixtures for runtime tests.
 */
import { CompareOptionsSchema } from '../../src/contracts/index.js';
import type { NewJob } from '../../src/jobs/types.js';

const file = { name: 'old.csv', storageKey: 'uploads/t/old.csv', size: 12, sha256: '0'.repeat(64), format: 'csv' as const };

/** A NewJob with sensible defaults (ids must be unique per test prefix). */
export function newJob(id: string, over: Partial<NewJob> = {}): NewJob {
  return {
    id,
    ownerId: 'acct-test',
    files: { old: file, new: { ...file, name: 'new.csv', storageKey: 'uploads/t/new.csv' } },
    key: ['id'],
    options: CompareOptionsSchema.parse({}),
    retentionMs: 3_600_000,
    ...over,
  };
}
