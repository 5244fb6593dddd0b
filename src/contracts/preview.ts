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

/** A diff's summary, columns and a run of its changes (the CLI's JSON; extended by PreviewPageSchema). */
export const DiffPreviewSchema = z.object({
  summary: DiffSummarySchema,
  columns: z.array(PreviewColumnSchema),
  changes: z.array(PreviewRowSchema),
  totalChanges: z.number().int().describe('row changes in the whole diff'),
  truncated: z.boolean().describe('true when changes holds fewer rows than totalChanges'),
});

/**
 * One page of a job's changes: the preview fields for the changes `offset` to
 * `offset + changes.length - 1` of the whole diff, plus where the page sits. Every change of the
 * diff is on exactly one page; pages hold `pageSize` changes (the last one fewer), so the page of
 * change `i` is `floor(i / pageSize)`. Page 0 is also what GET …/preview answers without `page`.
 */
export const PreviewPageSchema = DiffPreviewSchema.extend({
  page: z.number().int().min(0).describe('0-based page index'),
  pageSize: z.number().int().min(1).describe('changes per page (the last page may hold fewer)'),
  pageCount: z.number().int().min(1).describe('pages of this diff (at least 1, even without changes)'),
  offset: z.number().int().min(0).describe('index of the first change of this page in the whole diff'),
});

/** GET /compare/jobs/{id}/preview query. */
export const PreviewQuerySchema = z.object({
  page: z.coerce.number().int().min(0).max(100_000_000).default(0).describe('0-based page of the changes (default 0)'),
});

export type CellValueJson = z.infer<typeof CellValueSchema>;
export type PreviewRow = z.infer<typeof PreviewRowSchema>;
export type DiffPreview = z.infer<typeof DiffPreviewSchema>;
export type PreviewPage = z.infer<typeof PreviewPageSchema>;
