/**
 * Events the payment side adds to a job's history without changing its state (`refunded`,
 * `refund_failed`): job-note.lua appends them once per marker and leaves the job's fence alone,
 * so an export running on a job that was paid twice is not disturbed by the refund of the other
 * payment.
 */
import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';
import { jobNoteScript } from '../redis/scripts.js';

export interface JobNoteDeps {
  redis: Redis;
  keys: Keys;
}

/**
 * Appends `type` to the job's history once per `marker` (a retried sweep adds nothing). Returns
 * the event id, or null when the job is gone or the note was already made.
 */
export function noteJobEvent(
  deps: JobNoteDeps,
  jobId: string,
  note: { marker: string; type: string; now: number; data?: Record<string, unknown> },
): Promise<string | null> {
  return jobNoteScript(
    deps.redis,
    { job: deps.keys.job(jobId), events: deps.keys.jobEvents(jobId), channel: deps.keys.jobChannel(jobId) },
    { marker: `n:${note.marker}`, type: note.type, now: note.now, ...(note.data ? { data: note.data } : {}) },
  );
}
