/** Contract-checked sample data for component tests. */
import { JobViewSchema, type JobEvent, type JobView } from '../../src/contracts/index.js';
import type { KeyReport } from '../../src/contracts/inspect.js';
import { DiffPreviewSchema, PreviewPageSchema, type DiffPreview, type PreviewPage } from '../../src/contracts/preview.js';

export function jobView(patch: Partial<JobView> = {}): JobView {
  return JobViewSchema.parse({
    id: 'job_1',
    status: 'awaiting_payment',
    paid: false,
    progress: 100,
    createdAt: '2026-01-02T03:04:05.000Z',
    updatedAt: '2026-01-02T03:04:09.000Z',
    files: { old: 'old.csv', new: 'new.csv' },
    key: ['id'],
    options: {},
    price: 150,
    payment: { orderId: 'ord_1', amount: 150, currency: 'CNY', codeUrl: 'http://localhost:8080/dev/pay/ord_1', expiresAt: new Date(Date.now() + 600_000).toISOString() },
    links: {},
    ...patch,
  });
}

export function event(type: string, at: string, status?: JobEvent['status']): JobEvent {
  return { id: `${Date.parse(at)}-0`, type, at, ...(status ? { status } : {}) };
}

/** A preview with `n` changed rows of 3 columns (id key, name, qty). */
export function preview(n: number): DiffPreview {
  const types = ['added', 'removed', 'changed'] as const;
  return DiffPreviewSchema.parse({
    summary: {
      rows: { added: 0, removed: 0, changed: n, unchanged: 0, duplicateKeys: 0 },
      changedCells: n,
      columns: { compared: ['name', 'qty'], added: [], removed: [], changedCellsByColumn: { qty: n } },
      key: ['id'],
      sheets: { old: 'Sheet1', new: 'Sheet1' },
      rowCounts: { old: n, new: n },
    },
    columns: [{ name: 'id', status: 'key' }, { name: 'name', status: 'compared' }, { name: 'qty', status: 'compared' }],
    changes: Array.from({ length: n }, (_, i) => {
      const type = types[i % 3]!;
      return {
        type,
        key: [i + 1],
        oldRow: type === 'added' ? null : i + 2,
        newRow: type === 'removed' ? null : i + 2,
        values: [i + 1, `item ${i + 1}`, i],
        cells: type === 'changed' ? [{ column: 2, old: i - 1, new: i }] : [],
      };
    }),
    totalChanges: n,
    truncated: false,
  });
}

/** The pages the API would serve for `preview(total)` at `pageSize` changes a page. */
export function previewPages(total: number, pageSize: number): PreviewPage[] {
  const all = preview(total);
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  return Array.from({ length: pageCount }, (_, page) =>
    PreviewPageSchema.parse({ ...all, changes: all.changes.slice(page * pageSize, (page + 1) * pageSize), truncated: total > pageSize, page, pageSize, pageCount, offset: page * pageSize }),
  );
}

/** A key assistant report for two files with columns id (a key), name (repeats) and qty. */
export function keyReport(patch: Partial<KeyReport> = {}): KeyReport {
  const col = (name: string, letter: string, uniqueness: number, completeness = 1) => ({ name, letter, uniqueness, completeness, distinct: 10, empty: completeness < 1 ? 1 : 0 });
  return {
    files: [
      { sheet: 'Orders', sheets: ['Orders', 'Notes'], headerRow: 1, headerRowDetected: true, rows: 10, columns: [col('id', 'A', 1), col('name', 'B', 0.8), col('qty', 'C', 0.5, 0.9)] },
      { sheet: 'Orders', sheets: ['Orders', 'Notes'], headerRow: 1, headerRowDetected: true, rows: 11, columns: [col('id', 'A', 1), col('name', 'B', 0.75)] },
    ],
    suggestedKeys: [['id']],
    duplicatesFor: ['name'],
    duplicates: [[{ key: ['pear'], rows: [3, 7], count: 2 }], []],
    ...patch,
  };
}
