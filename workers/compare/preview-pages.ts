/**
 * Writes a diff's changes as preview pages (PreviewPageSchema JSON, one object per page under the
 * job's folder), so the web app can page through every change, not only the first ones.
 *
 * Pages are built and sent one at a time per upload slot: at most `concurrency` pages exist as
 * JSON at once, whatever the number of changes (the diff itself is already in memory).
 */
import { buildPreviewPage, previewPageCount } from '../../src/domain/preview-page.js';
import type { DiffResult } from '../../src/domain/diff-result.js';
import type { ObjectStore } from '../../src/storage/object-store.js';
import { objectKeys } from '../../src/storage/keys.js';

/** Changes per preview page: a few screens of the web app's table, ~50–200 KB of JSON. */
export const PREVIEW_PAGE_ROWS = 500;

export interface PreviewPagesOptions {
  /** @defaultValue PREVIEW_PAGE_ROWS */
  pageSize?: number;
  /** Pages uploaded at once. @defaultValue 4 */
  concurrency?: number;
  signal?: AbortSignal;
}

/** Stores every page of `result`'s changes for `jobId`; resolves with the page count. */
export async function writePreviewPages(store: ObjectStore, jobId: string, result: DiffResult, opts: PreviewPagesOptions = {}): Promise<{ pageCount: number }> {
  const pageSize = opts.pageSize ?? PREVIEW_PAGE_ROWS;
  const pageCount = previewPageCount(result.changes.length, pageSize);
  let next = 0;
  const slot = async () => {
    while (next < pageCount) {
      opts.signal?.throwIfAborted();
      const page = next++;
      const body = Buffer.from(JSON.stringify(buildPreviewPage(result, { page, pageSize })));
      await store.put(objectKeys.previewPage(jobId, page), body, { contentType: 'application/json', ...(opts.signal && { signal: opts.signal }) });
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 4, pageCount) }, slot));
  return { pageCount };
}
