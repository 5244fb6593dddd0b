import type { PreviewPage } from '../contracts/preview.js';
import type { DiffResult } from './diff-result.js';
import { buildPreview } from './preview.js';

/** Pages a diff of `total` changes takes at `pageSize` changes a page (at least one page). */
export function previewPageCount(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(total / pageSize));
}

/**
 * One page of a diff's changes, shaped by PreviewPageSchema: changes `page × pageSize` onwards
 * (at most `pageSize`), in the diff's order, with the summary and columns that make the page
 * readable alone. A page past the last one holds no changes.
 */
export function buildPreviewPage(result: DiffResult, opts: { page: number; pageSize: number }): PreviewPage {
  const { page, pageSize } = opts;
  const total = result.changes.length;
  const offset = page * pageSize;
  // Only this page's change records are sliced (references); rows are shaped by buildPreview.
  const part = buildPreview({ ...result, changes: result.changes.slice(offset, offset + pageSize) }, { limit: pageSize });
  return {
    ...part,
    totalChanges: total,
    truncated: part.changes.length < total,
    page,
    pageSize,
    pageCount: previewPageCount(total, pageSize),
    offset,
  };
}
