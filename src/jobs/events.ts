/**
 * Decoding of a job's event stream entries (`type`, `at`, `status`, `data` fields) into `JobEvent`.
 */
import { JobStatusSchema, type JobEvent } from '../contracts/index.js';

/** Decodes one XRANGE entry; unknown statuses and unparsable data are dropped, never thrown. */
export function decodeEvent(id: string, fields: readonly string[]): JobEvent {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
  const ms = Number(f.at ?? id.split('-')[0]);
  const ev: JobEvent = { id, type: f.type ?? 'unknown', at: new Date(Number.isFinite(ms) ? ms : 0).toISOString() };
  const status = JobStatusSchema.safeParse(f.status);
  if (status.success) ev.status = status.data;
  if (f.data) {
    try {
      const data: unknown = JSON.parse(f.data);
      if (data && typeof data === 'object' && !Array.isArray(data)) ev.data = data as Record<string, unknown>;
    } catch {
      // A malformed payload still leaves a usable timeline entry.
    }
  }
  return ev;
}
