/**
 * Writes a diff's changes as preview pages (PreviewPageSchema JSON, one object per page under the
 * job's folder), so the web app can page through every change, not only the first ones.
 *
 * The changes are read once, in order (from memory or from the diff's change file), and pages
 * are built one after another: at most `concurrency` pages are being uploaded at once and one
 * more is being built, whatever the number of changes.
 */
import { previewPageCount, previewPages } from '../../src/domain/preview-page.js';
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
  const slots = Math.max(1, Math.min(opts.concurrency ?? 4, pageCount));
  const inFlight = new Set<Promise<void>>();
  let failed: { err: unknown } | undefined;
  try {
    for (const page of previewPages(result, pageSize)) {
      opts.signal?.throwIfAborted();
      // the uploads below never reject: a failure is kept in `failed`
      while (inFlight.size >= slots) await Promise.race(inFlight);
      if (failed) break;
      const body = Buffer.from(JSON.stringify(page));
      const put: Promise<void> = store.put(objectKeys.previewPage(jobId, page.page), body, { contentType: 'application/json', ...(opts.signal && { signal: opts.signal }) }).then(
        () => {
          inFlight.delete(put);
        },
        (err: unknown) => {
          inFlight.delete(put);
          failed ??= { err };
        },
      );
      inFlight.add(put);
    }
  } finally {
    await Promise.all(inFlight);
  }
  if (failed) throw failed.err;
  return { pageCount };
}
