import { describe, expect, it } from 'vitest';
import { PreviewPageSchema } from '../../../src/contracts/preview.js';
import { diffTables } from '../../../src/domain/diff.js';
import { buildPreviewPage, previewPageCount, previewPages } from '../../../src/domain/preview-page.js';
import { options, table } from './table-helpers.js';

/** `n` rows whose qty all change, so the diff has exactly `n` changed rows, keyed 1…n. */
function allChanged(n: number) {
  const rows = (bump: number) => Array.from({ length: n }, (_, i) => [String(i + 1), `item ${i + 1}`, String(i + bump)]);
  return diffTables(table(['id', 'name', 'qty'], rows(0)), table(['id', 'name', 'qty'], rows(1)), { key: ['id'], options: options() });
}

describe('previewPageCount', () => {
  it.each([
    [0, 500, 1],
    [1, 500, 1],
    [500, 500, 1],
    [501, 500, 2],
    [10_100, 500, 21],
  ])('%i changes at %i a page → %i pages', (total, size, pages) => {
    expect(previewPageCount(total, size)).toBe(pages);
  });
});

describe('buildPreviewPage', () => {
  it('puts every change on exactly one page, in the diff order', () => {
    const r = allChanged(23);
    const pages = Array.from({ length: previewPageCount(23, 5) }, (_, page) => PreviewPageSchema.parse(buildPreviewPage(r, { page, pageSize: 5 })));
    expect(pages.map((p) => p.changes.length)).toEqual([5, 5, 5, 5, 3]);
    expect(pages.map((p) => p.offset)).toEqual([0, 5, 10, 15, 20]);
    expect(pages.every((p) => p.pageCount === 5 && p.pageSize === 5 && p.totalChanges === 23 && p.truncated)).toBe(true);
    const keys = pages.flatMap((p) => p.changes.map((c) => c.key[0]));
    expect(keys).toEqual(Array.from({ length: 23 }, (_, i) => String(i + 1)));
    expect(pages[4]!.changes[2]).toMatchObject({ type: 'changed', oldRow: 24, newRow: 24, cells: [{ column: 2, old: '22', new: '23' }] });
  });

  it('gives one page, not truncated, when everything fits, and an empty page past the end', () => {
    const r = allChanged(3);
    expect(buildPreviewPage(r, { page: 0, pageSize: 5 })).toMatchObject({ page: 0, pageCount: 1, totalChanges: 3, truncated: false });
    const past = buildPreviewPage(r, { page: 4, pageSize: 5 });
    expect(past.changes).toEqual([]);
    expect(past.offset).toBe(20);
    const none = buildPreviewPage(allChanged(0), { page: 0, pageSize: 5 });
    expect(none).toMatchObject({ pageCount: 1, totalChanges: 0, truncated: false, changes: [] });
  });
});

describe('previewPages', () => {
  it.each([0, 3, 23, 25])('gives, in one pass over %i changes, the pages buildPreviewPage gives one by one', (n) => {
    const r = allChanged(n);
    const pages = [...previewPages(r, 5)];
    expect(pages).toHaveLength(previewPageCount(n, 5));
    expect(pages).toEqual(pages.map((_, page) => buildPreviewPage(r, { page, pageSize: 5 })));
    expect(pages.map((p) => JSON.stringify(p))).toEqual(pages.map((_, page) => JSON.stringify(buildPreviewPage(r, { page, pageSize: 5 }))));
  });
});
