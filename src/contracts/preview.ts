import { z } from 'zod';
import { DiffSummarySchema } from './jobs.js';

/** One cell: text, number, boolean or empty; dates are ISO 8601 strings (`2024-03-01`). */
export const CellValueSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** A column of the diff and how it relates to the two files. */
export const PreviewColumnSchema = z.object({
  name: z.string(),
  status: z.enum(['key', 'compared', 'added', 'removed']),
});

/** One changed cell of a `changed` row; `column` indexes `columns`. */
export const PreviewCellChangeSchema = z.object({
  column: z.number().int(),
  old: CellValueSchema,
  new: CellValueSchema,
});

/**
 * One row of the preview. `values` follow `columns` (new-file values where the row exists in
 * the new file, old-file values otherwise); `cells` lists the changed cells of a `changed` row;
 * `side` says which file holds a `duplicate` row; row numbers are 1-based source rows.
 */
export const PreviewRowSchema = z.object({
  type: z.enum(['added', 'removed', 'changed', 'duplicate']),
  side: z.enum(['old', 'new']).optional(),
  key: z.array(CellValueSchema),
  oldRow: z.number().int().nullable(),
  newRow: z.number().int().nullable(),
  values: z.array(CellValueSchema),
  cells: z.array(PreviewCellChangeSchema),
});

/** GET /compare/jobs/{id}/preview: the summary, the columns and the first changes (free). */
export const DiffPreviewSchema = z.object({
  summary: DiffSummarySchema,
  columns: z.array(PreviewColumnSchema),
  changes: z.array(PreviewRowSchema),
  totalChanges: z.number().int().describe('row changes in the whole diff'),
  truncated: z.boolean().describe('true when changes holds fewer rows than totalChanges'),
});

export type CellValueJson = z.infer<typeof CellValueSchema>;
export type PreviewRow = z.infer<typeof PreviewRowSchema>;
export type DiffPreview = z.infer<typeof DiffPreviewSchema>;
