/**
 * Decoding of work stream entries: one `data` field holding the JSON envelope, validated by the
 * stream's zod schema. Anything else is invalid and goes to the dead-letter stream, never retried.
 */
import type { z } from 'zod';
import type { Envelope } from '../contracts/index.js';

export type DecodedEntry<M> =
  | { ok: true; msg: M; data: string }
  | { ok: false; reason: string; data: string; jobId?: string };

/** Decodes one entry's field list (`['data', json]`). */
export function decodeEntry<M extends Envelope>(schema: z.ZodType<M>, fields: readonly string[] | null | undefined): DecodedEntry<M> {
  let data: string | undefined;
  if (fields) for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === 'data') data = fields[i + 1];
  if (data === undefined) return { ok: false, reason: 'entry has no data field', data: '' };
  let raw: unknown;
  try {
    raw = JSON.parse(data);
  } catch {
    return { ok: false, reason: 'data is not JSON', data };
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, msg: parsed.data, data };
  const jobId = raw && typeof raw === 'object' && 'jobId' in raw && typeof raw.jobId === 'string' ? raw.jobId : undefined;
  const issue = parsed.error.issues[0];
  const reason = `invalid envelope: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'schema mismatch'}`;
  return jobId === undefined ? { ok: false, reason, data } : { ok: false, reason, data, jobId };
}
