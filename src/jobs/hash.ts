/**
 * The job hash codec: one zod schema for the stored fields (the single source of truth for how a
 * `JobRecord` is laid out in Redis) and the encoders that write them.
 *
 * Scalars are stored as decimal strings, booleans as `1`/`0`, structured fields as JSON. Runtime
 * bookkeeping fields (`done`, `cl`, `lt`, `ob`, `w`, `q:<kind>`) live in the same hash but are not
 * part of the record; see docs/job-runtime.md.
 */
import { z } from 'zod';
import {
  CompareOptionsSchema,
  DiffSummarySchema,
  JobErrorSchema,
  JobStatusSchema,
} from '../contracts/index.js';
import type { JobFieldPatch, JobRecord, NewJob } from './types.js';

const num = z.coerce.number();
const json = <T extends z.ZodType>(schema: T) =>
  z.string().transform((s, ctx) => {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'invalid JSON' });
      return z.NEVER;
    }
  }).pipe(schema);

/** A stored input file. */
export const StoredFileSchema = z.object({
  name: z.string(),
  storageKey: z.string(),
  size: z.number().int().min(0),
  sha256: z.string(),
  format: z.enum(['xlsx', 'xlsm', 'xls', 'csv']),
});

const PaymentFieldSchema = z.object({
  orderId: z.string(),
  amount: z.number().int(),
  codeUrl: z.string(),
  expiresAt: z.number(),
});

const JobHashFields = z.object({
    id: z.string().min(1),
    ownerId: z.string(),
    status: JobStatusSchema,
    progress: num.default(0),
    createdAt: num,
    updatedAt: num,
    expiresAt: num,
    files: json(z.object({ old: StoredFileSchema, new: StoredFileSchema })),
    key: json(z.array(z.string())),
    options: json(CompareOptionsSchema),
    fence: num.default(0),
    attempts: num.default(0),
    price: num.optional(),
    paid: z.enum(['0', '1']).default('0').transform((v) => v === '1'),
    payment: json(PaymentFieldSchema).optional(),
    summary: json(DiffSummarySchema).optional(),
    rows: json(z.object({ old: z.number().int(), new: z.number().int() })).optional(),
    artefacts: json(z.record(z.string(), z.string())).optional(),
    error: json(JobErrorSchema).optional(),
    traceparent: z.string().optional(),
});

/** The hash fields that make up a `JobRecord` (runtime bookkeeping fields excluded). */
export const JOB_RECORD_FIELDS = Object.keys(JobHashFields.shape) as readonly string[];

/** The job hash as Redis returns it (HGETALL), decoded into a `JobRecord`. */
export const JobHashSchema = JobHashFields.transform((h): JobRecord => {
    // Drop absent optionals so records compare cleanly and serialise without `undefined` keys.
    const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = v;
  return out as unknown as JobRecord;
});

/** Decodes an HGETALL reply; `null` for a missing (empty) hash. Throws on a corrupt hash. */
export function decodeJobHash(hash: Record<string, string>): JobRecord | null {
  if (hash.id === undefined) return null;
  return JobHashSchema.parse(hash);
}

/**
 * Decodes the record claim.lua returns: the values of `JOB_RECORD_FIELDS` in order, joined with
 * NUL, '' for a missing field (stored values never contain NUL: see encodeValue).
 */
export function decodeJobJoined(joined: string): JobRecord | null {
  const values = joined.split('\0');
  const hash: Record<string, string> = {};
  JOB_RECORD_FIELDS.forEach((f, i) => {
    const v = values[i];
    if (v) hash[f] = v;
  });
  return decodeJobHash(hash);
}

function encodeValue(v: unknown): string {
  if (typeof v === 'string') {
    // NUL separates fields in claim.lua's reply; JSON never contains a raw one.
    if (v.includes('\0')) throw new Error('job fields must not contain NUL characters');
    return v;
  }
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? '1' : '0';
  return JSON.stringify(v);
}

/** Encodes a patch as the flat `[field, value, …]` list a script HSETs; absent fields are skipped. */
export function encodePatch(patch: JobFieldPatch | undefined): string[] {
  const out: string[] = [];
  if (!patch) return out;
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    out.push(k, encodeValue(v));
  }
  return out;
}

/** The record a new job starts as (status `queued`). */
export function newJobRecord(job: NewJob, now: number): JobRecord {
  return {
    id: job.id,
    ownerId: job.ownerId,
    status: 'queued',
    progress: 0,
    createdAt: now,
    updatedAt: now,
    expiresAt: now + job.retentionMs,
    files: job.files,
    key: job.key,
    options: job.options,
    fence: 0,
    attempts: 0,
    paid: false,
    ...(job.traceparent ? { traceparent: job.traceparent } : {}),
  };
}

/** Encodes a whole record as flat hash fields (used when creating a job). */
export function encodeJobRecord(rec: JobRecord): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(rec)) {
    if (v === undefined) continue;
    out.push(k, encodeValue(v));
  }
  return out;
}
