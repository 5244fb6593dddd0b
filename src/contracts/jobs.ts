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
    sheet: z
      .string()
      .max(200)
      .optional()
      .describe('sheet to read in both files (default: the old file\'s first sheet with cells, and the sheet of the same name in the new file when it has one)'),
    oldSheet: z.string().max(200).optional().describe('sheet of the old file, overriding `sheet`'),
    newSheet: z.string().max(200).optional().describe('sheet of the new file, overriding `sheet`'),
    headerRow: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .optional()
      .describe('1-based header row in both files (default: detected per file, see docs/diff-engine.md)'),
    oldHeaderRow: z.number().int().min(1).max(1000).optional().describe('1-based header row of the old file, overriding `headerRow`'),
    newHeaderRow: z.number().int().min(1).max(1000).optional().describe('1-based header row of the new file, overriding `headerRow`'),
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
    renames: z
      .record(z.string().max(200), z.string().max(200))
      .refine((r) => Object.keys(r).length <= 500, 'at most 500 renames')
      .default({})
      .describe(
        'columns renamed between the files, old header → new header ({"Total": "Amount"}): such a pair is compared as one column. ' +
          'Suggested renames are never applied on their own; pass them here',
      ),
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

/**
 * A column found in both files whose place changed: it is out of the longest run of common
 * columns that kept their relative order, so inserting or removing a column moves nothing.
 */
export const MovedColumnSchema = z.object({
  name: z.string().describe('the column (its new-file header)'),
  oldPosition: z.number().int().describe('1-based position in the old file'),
  newPosition: z.number().int().describe('1-based position in the new file'),
  oldColumn: z.string().describe('column letters in the old file (C)'),
  newColumn: z.string().describe('column letters in the new file (E)'),
  after: z.string().nullable().describe('the new-file column it now follows; null when it is first'),
});
export type MovedColumn = z.infer<typeof MovedColumnSchema>;

/** A column renamed by `options.renames`, compared under its new name. */
export const RenamedColumnSchema = z.object({ old: z.string(), new: z.string() });
export type RenamedColumn = z.infer<typeof RenamedColumnSchema>;

/**
 * A removed and an added column whose values agree on most paired rows: probably one column
 * renamed. Reported only; it is applied when passed back as `options.renames`.
 */
export const SuggestedRenameSchema = z.object({
  old: z.string().describe('header of the removed column (old file)'),
  new: z.string().describe('header of the added column (new file)'),
  score: z.number().min(0).max(1).describe('matchingRows ÷ rowsWithValues'),
  matchingRows: z.number().int().describe('paired rows where both cells hold the same non-empty value'),
  rowsWithValues: z.number().int().describe('the larger of the two columns\' counts of non-empty cells over paired rows'),
});
export type SuggestedRename = z.infer<typeof SuggestedRenameSchema>;

/** What a compare produced: counts per change type and per column, and the column changes. */
export const DiffSummarySchema = z.object({
  rows: ChangeCountsSchema,
  changedCells: z.number().int(),
  columns: z.object({
    compared: z.array(z.string()).describe('columns present in both files whose cells were compared (key columns excluded)'),
    added: z.array(z.string()).describe('columns only in the new file'),
    removed: z.array(z.string()).describe('columns only in the old file'),
    moved: z.array(MovedColumnSchema).default([]).describe('common columns whose order changed'),
    renamed: z.array(RenamedColumnSchema).default([]).describe('renames applied from options.renames'),
    suggestedRenames: z
      .array(SuggestedRenameSchema)
      .default([])
      .describe('removed/added column pairs whose values agree; best first, each column at most once'),
    changedCellsByColumn: z.record(z.string(), z.number().int()),
  }),
  key: z.array(z.string()),
  sheets: z.object({ old: z.string(), new: z.string() }),
  headerRows: z
    .object({ old: z.number().int(), new: z.number().int() })
    .optional()
    .describe('1-based header row used in each file (chosen, or detected)'),
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

/**
 * Every event type a job's history holds (the SSE event names). `type` stays a plain string in
 * the schema so an older client keeps reading a history that gained a new type.
 */
export const JOB_EVENT_TYPES = [
  'created', 'compare_started', 'progress', 'compared', 'payment_order_created', 'payment_order_closed',
  'payment_skipped', 'paid', 'export_started', 'export_ready', 'refunded', 'refund_failed', 'failed', 'cancelled', 'expired',
] as const;

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
