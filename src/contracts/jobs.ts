import { z } from 'zod';

/** Compare job lifecycle (DESIGN §2). Terminal states never change again. */
export const JOB_STATUSES = [
  'queued',
  'comparing',
  'compared',
  'awaiting_payment',
  'paid',
  'exporting',
  'ready',
  'failed',
  'cancelled',
  'expired',
] as const;
export const JobStatusSchema = z.enum(JOB_STATUSES);
export type JobStatus = z.infer<typeof JobStatusSchema>;
export const TERMINAL_STATUSES: readonly JobStatus[] = ['ready', 'failed', 'cancelled', 'expired'];

/** Comparison options (the `options` multipart field, a JSON string). */
export const CompareOptionsSchema = z
  .object({
    sheet: z.string().max(200).optional().describe('sheet name in both files (default: first sheet)'),
    headerRow: z.number().int().min(1).max(1000).optional().describe('1-based header row (default: 1)'),
    trim: z.boolean().default(false),
    collapseWhitespace: z.boolean().default(false),
    ignoreCase: z.boolean().default(false),
    numericTolerance: z.number().min(0).default(0).describe('absolute tolerance for numeric cells'),
    relativeTolerance: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .describe('relative tolerance for numeric cells: |a−b| ≤ tol × max(|a|, |b|)'),
    excelDates: z
      .boolean()
      .default(false)
      .describe('an Excel date serial (a number, 1900 system) equals the same date written as text (2024-03-01)'),
    ignoreColumns: z.array(z.string().max(200)).max(500).default([]),
    emptyEqualsMissing: z.boolean().default(true),
  })
  .strict();
export type CompareOptions = z.infer<typeof CompareOptionsSchema>;

export const ChangeCountsSchema = z.object({
  added: z.number().int(),
  removed: z.number().int(),
  changed: z.number().int(),
  unchanged: z.number().int(),
  duplicateKeys: z.number().int(),
});

/** What a compare produced: counts per change type and per column. */
export const DiffSummarySchema = z.object({
  rows: ChangeCountsSchema,
  changedCells: z.number().int(),
  columns: z.object({
    compared: z.array(z.string()),
    added: z.array(z.string()),
    removed: z.array(z.string()),
    changedCellsByColumn: z.record(z.string(), z.number().int()),
  }),
  key: z.array(z.string()),
  sheets: z.object({ old: z.string(), new: z.string() }),
  rowCounts: z.object({ old: z.number().int(), new: z.number().int() }),
});
export type DiffSummary = z.infer<typeof DiffSummarySchema>;

export const PaymentInfoSchema = z.object({
  orderId: z.string(),
  amount: z.number().int().describe('fen'),
  currency: z.literal('CNY'),
  codeUrl: z.string(),
  expiresAt: z.string(),
});

export const JobErrorSchema = z.object({ code: z.string(), message: z.string() });

/** GET /compare/jobs/{id} */
export const JobViewSchema = z.object({
  id: z.string(),
  status: JobStatusSchema,
  paid: z.boolean(),
  progress: z.number().min(0).max(100),
  createdAt: z.string(),
  updatedAt: z.string(),
  expiresAt: z.string().optional(),
  files: z.object({ old: z.string(), new: z.string() }),
  key: z.array(z.string()),
  options: CompareOptionsSchema,
  price: z.number().int().optional().describe('fen; known once compared'),
  payment: PaymentInfoSchema.optional(),
  summary: DiffSummarySchema.optional(),
  error: JobErrorSchema.optional(),
  links: z.record(z.string(), z.string()),
});
export type JobView = z.infer<typeof JobViewSchema>;

export const JobCreatedSchema = z.object({
  jobId: z.string(),
  status: JobStatusSchema,
  links: z.record(z.string(), z.string()),
});
export type JobCreated = z.infer<typeof JobCreatedSchema>;

/** One entry of a job's history; `id` is the Redis stream id (usable as SSE Last-Event-ID). */
export const JobEventSchema = z.object({
  id: z.string(),
  type: z.string(),
  at: z.string(),
  status: JobStatusSchema.optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type JobEvent = z.infer<typeof JobEventSchema>;
export const JobEventListSchema = z.object({ events: z.array(JobEventSchema) });
