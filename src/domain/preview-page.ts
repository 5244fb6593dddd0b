import type { PreviewPage, PreviewRow } from '../contracts/preview.js';
import type { DiffResult } from './diff-result.js';
import { previewOf, previewRow, previewRows } from './preview.js';

/** Pages a diff of `total` changes takes at `pageSize` changes a page (at least one page). */
export function previewPageCount(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(total / pageSize));
}

function pageOf(result: DiffResult, rows: PreviewRow[], page: number, pageSize: number): PreviewPage {
  const total = result.changes.length;
  return {
    ...previewOf(result, rows, total),
    page,
    pageSize,
    pageCount: previewPageCount(total, pageSize),
    offset: page * pageSize,
  };
}

/**
 * One page of a diff's changes, shaped by PreviewPageSchema: changes `page × pageSize` onwards
 * (at most `pageSize`), in the diff's order, with the summary and columns that make the page
 * readable alone. A page past the last one holds no changes. The changes before the page are
 * read and skipped; {@link previewPages} gives every page in one pass.
 */
export function buildPreviewPage(result: DiffResult, opts: { page: number; pageSize: number }): PreviewPage {
  const { page, pageSize } = opts;
  return pageOf(result, previewRows(result, page * pageSize, pageSize), page, pageSize);
}

/**
 * Every page of a diff's changes in order (the pages {@link buildPreviewPage} gives), reading
 * the changes once: only the page being built is held. A diff without changes has one empty
 * page.
 */
export function* previewPages(result: DiffResult, pageSize: number): Generator<PreviewPage, void, undefined> {
  let page = 0;
  let rows: PreviewRow[] = [];
  for (const ch of result.changes) {
    rows.push(previewRow(result, ch));
    if (rows.length === pageSize) {
      yield pageOf(result, rows, page++, pageSize);
      rows = [];
    }
  }
  if (rows.length > 0 || page === 0) yield pageOf(result, rows, page, pageSize);
}
