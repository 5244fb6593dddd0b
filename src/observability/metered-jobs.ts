/**
 * Counts created jobs at the one place every compare job is born: `JobStore.create`.
 */
import type { JobStore } from '../jobs/types.js';
import { jobMetrics } from './metrics.js';

/** Wraps `jobs` so each successful `create` counts in `sheetdiff_jobs_created_total{kind="compare"}`. */
export function meterJobStore(jobs: JobStore): JobStore {
  return {
    ...jobs,
    create: async (job) => {
      const rec = await jobs.create(job);
      jobMetrics.created.inc({ kind: 'compare' });
      return rec;
    },
  };
}
