import { z } from 'zod';
import { EnvelopeSchema } from './messages.js';

/**
 * Record-stream exports (DESIGN §7): a service opens an export with column metadata, streams
 * records in numbered batches, completes it, and polls for a signed download link.
 */

/** Column types a record export declares. */
export const EXPORT_COLUMN_TYPES = ['string', 'number', 'integer', 'date', 'datetime', 'boolean', 'currency'] as const;

export const ExportColumnSchema = z
  .object({
    name: z.string().min(1).max(255),
    type: z.enum(EXPORT_COLUMN_TYPES).default('string'),
    width: z.number().min(1).max(255).optional().describe('column width in characters (xlsx)'),
    numFmt: z.string().min(1).max(255).optional().describe('Excel number format, e.g. "#,##0.00" or "yyyy-mm-dd" (xlsx)'),
  })
  .strict();
export type ExportColumn = z.infer<typeof ExportColumnSchema>;

export const ExportCreateSchema = z
  .object({
    format: z.enum(['xlsx', 'csv']),
    filename: z.string().min(1).max(200).optional().describe('download name; the extension is added when missing'),
    sheetName: z.string().min(1).max(31).optional().describe('xlsx sheet name (default "Sheet1")'),
    columns: z.array(ExportColumnSchema).min(1).max(16_384),
    csvBom: z.boolean().default(true).describe('start a CSV with a UTF-8 BOM so Excel reads CJK text'),
  })
  .strict()
  .superRefine((v, ctx) => {
    const seen = new Set<string>();
    v.columns.forEach((c, i) => {
      if (seen.has(c.name)) ctx.addIssue({ code: 'custom', path: ['columns', i, 'name'], message: `duplicate column name ${c.name}` });
      seen.add(c.name);
    });
  });
export type ExportCreate = z.infer<typeof ExportCreateSchema>;

/** OPEN accepts batches; COMPLETE queues it (QUEUED → PROCESSING → UPLOADING → COMPLETED | FAILED). */
export const EXPORT_STATUSES = ['OPEN', 'QUEUED', 'PROCESSING', 'UPLOADING', 'COMPLETED', 'FAILED', 'CANCELLED'] as const;
export const ExportStatusSchema = z.enum(EXPORT_STATUSES);
export type ExportStatus = z.infer<typeof ExportStatusSchema>;
export const EXPORT_TERMINAL: readonly ExportStatus[] = ['COMPLETED', 'FAILED', 'CANCELLED'];

export const ExportIdParamsSchema = z.object({ id: z.string().min(1).max(64) });
export const BatchQuerySchema = z.object({
  seq: z.coerce.number().int().min(0).max(10_000_000).optional().describe('batch number; a retried seq is stored once'),
});

export const ExportViewSchema = z.object({
  exportId: z.string(),
  status: ExportStatusSchema,
  format: z.enum(['xlsx', 'csv']),
  filename: z.string(),
  progress: z.number().int().min(0).max(100),
  recordCount: z.number().int(),
  batches: z.number().int(),
  fileSize: z.number().int().optional(),
  sha256: z.string().optional(),
  url: z.string().optional().describe('signed download link, while COMPLETED'),
  urlExpiresAt: z.string().optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  expiresAt: z.string(),
});
export type ExportView = z.infer<typeof ExportViewSchema>;

export const BatchAcceptedSchema = z.object({
  exportId: z.string(),
  seq: z.number().int(),
  records: z.number().int().describe('records in this batch'),
  duplicate: z.boolean().describe('true when this seq was already stored: nothing was written again'),
  recordCount: z.number().int().describe('records in the export so far'),
});
export type BatchAccepted = z.infer<typeof BatchAcceptedSchema>;

/** records stream: render a completed record export. */
export const RecordExportRequestedSchema = EnvelopeSchema.extend({ type: z.literal('RecordExportRequested') });
export type RecordExportRequested = z.infer<typeof RecordExportRequestedSchema>;
