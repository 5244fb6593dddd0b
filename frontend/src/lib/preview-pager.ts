/**
 * The changes of a job as the preview table scrolls through them: fetched page by page from
 * GET …/preview?page=N as rows come into view, a bounded number of pages kept in memory.
 */
import { markRaw, ref, type Ref } from 'vue';
import type { DiffPreview, PreviewPage, PreviewRow } from '../../../src/contracts/preview.js';

/** Fetches one page (the API client's getPreviewPage, bound to a job). */
export type LoadPage = (page: number) => Promise<PreviewPage>;

export interface PagerOptions {
  /** Pages kept in memory; the least recently used beyond it are dropped. @defaultValue 24 */
  keepPages?: number;
  /** Wait before fetching, so a fast scroll does not fetch every page it passes. @defaultValue 60 */
  settleMs?: number;
}

export class PreviewPager {
  /** Rows the table shows: every change, or what an older preview holds. */
  readonly count: number;
  readonly totalChanges: number;
  readonly pageSize: number;
  readonly columns: DiffPreview['columns'];
  /** Bumped when a page arrives, so views reading rows re-render. */
  readonly version: Ref<number> = ref(0);
  /** A page that could not be fetched (shown with a retry), else null. */
  readonly failed: Ref<number | null> = ref(null);
  /** Page requests sent so far (for tests and diagnostics). */
  requests = 0;

  private readonly pages = new Map<number, PreviewRow[]>();
  private readonly loading = new Set<number>();
  private readonly keep: number;
  private readonly settleMs: number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private wanted: [number, number] = [0, 0];
  private closed = false;

  constructor(
    first: PreviewPage,
    private readonly load: LoadPage,
    opts: PagerOptions = {},
  ) {
    this.totalChanges = first.totalChanges;
    this.pageSize = first.pageSize;
    this.count = Math.min(first.totalChanges, first.pageCount * first.pageSize);
    this.columns = first.columns;
    this.keep = Math.max(2, opts.keepPages ?? 24);
    this.settleMs = opts.settleMs ?? 60;
    this.pages.set(first.page, first.changes);
    // Never wrapped in a reactive proxy (that would unwrap the refs above): reactivity is `version`.
    markRaw(this);
  }

  /** Row `i` (0-based) if its page is here; reading it ties the caller to `version`. */
  row(i: number): PreviewRow | undefined {
    void this.version.value;
    const p = Math.floor(i / this.pageSize);
    return this.pages.get(p)?.[i - p * this.pageSize];
  }

  /** Asks for rows `from`…`to` (inclusive): their missing pages are fetched once the scroll settles. */
  show(from: number, to: number): void {
    this.wanted = [Math.max(0, from), Math.min(this.count - 1, to)];
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.fetchWanted(), this.settleMs);
  }

  /** Tries a failed page again. */
  retry(): void {
    this.failed.value = null;
    this.fetchWanted();
  }

  /** Stops fetching (the view is gone). */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  private fetchWanted(): void {
    const [from, to] = this.wanted;
    if (this.closed || to < from) return;
    for (let p = Math.floor(from / this.pageSize); p <= Math.floor(to / this.pageSize); p++) {
      const rows = this.pages.get(p);
      if (rows) {
        // most recently used last
        this.pages.delete(p);
        this.pages.set(p, rows);
      } else if (!this.loading.has(p) && this.failed.value !== p) void this.fetch(p);
    }
  }

  private async fetch(p: number): Promise<void> {
    this.loading.add(p);
    this.requests++;
    try {
      const page = await this.load(p);
      if (this.closed) return;
      this.pages.set(p, page.changes);
      for (const old of this.pages.keys()) {
        if (this.pages.size <= this.keep) break;
        if (!this.inWanted(old)) this.pages.delete(old);
      }
      this.version.value++;
    } catch {
      if (!this.closed) this.failed.value = p;
    } finally {
      this.loading.delete(p);
    }
  }

  private inWanted(p: number): boolean {
    return p >= Math.floor(this.wanted[0] / this.pageSize) && p <= Math.floor(this.wanted[1] / this.pageSize);
  }
}
