import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompareOptions } from '../../../src/contracts/jobs.js';
import { DiffPreviewSchema } from '../../../src/contracts/preview.js';
import { DiffSummarySchema } from '../../../src/contracts/jobs.js';
import { buildPreview, diffTables } from '../../../src/domain/diff.js';
import { readTable } from '../../../src/sheets/read-table.js';
import { writeDiffXlsx } from '../../../src/sheets/write-diff-xlsx.js';
import { readZipEntries } from '../../helpers/zip.js';
import { options, table } from '../domain/table-helpers.js';

/** Column changes in the outputs: summary JSON (through the contract), Summary and Diff sheets. */
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sd-write-cols-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// qty moved from D to B; Total (old) and Amount (new) hold the same values on 4 of 5 rows
const ids = ['1', '2', '3', '4', '5'];
const OLD = table(['id', 'name', 'Total', 'qty', 'gone'], ids.map((id) => [id, `n${id}`, `${id}0`, id, 'x']));
const NEW = table(['id', 'qty', 'name', 'Amount', 'extra'], ids.map((id) => [id, id, `n${id}`, id === '5' ? '99' : `${id}0`, 'y']));
const diff = (o: Partial<CompareOptions> = {}) => {
  const r = diffTables({ ...OLD, headerRow: 3 }, NEW, { key: ['id'], options: options(o) });
  return { ...r, summary: DiffSummarySchema.parse(JSON.parse(JSON.stringify(r.summary))) };
};
const META = { oldName: 'old.xlsx', newName: 'new.csv', options: options(), key: ['id'] };

async function written(o: Partial<CompareOptions> = {}) {
  const path = join(dir, `cols-${Object.keys(o).length}.xlsx`);
  const r = diff(o);
  await writeDiffXlsx(r, { ...META, options: options(o) }, createWriteStream(path));
  const parts = await readZipEntries(path);
  const summaryText = [...parts.get('xl/worksheets/sheet1.xml')!.matchAll(/<t[^>]*>([^<]*)<\/t>/g)].map((m) => m[1]);
  return { path, parts, summaryText, r };
}

describe('column changes in the outputs', () => {
  it('carry moved columns, suggested renames and header rows through the summary contract and the preview', () => {
    const s = diff().summary;
    expect(s.columns).toMatchObject({
      added: ['Amount', 'extra'],
      removed: ['Total', 'gone'],
      moved: [{ name: 'qty', oldPosition: 4, newPosition: 2, oldColumn: 'D', newColumn: 'B', after: 'id' }],
      renamed: [],
      suggestedRenames: [{ old: 'Total', new: 'Amount', score: 0.8, matchingRows: 4, rowsWithValues: 5 }],
    });
    expect(s.headerRows).toEqual({ old: 3, new: 1 });
    expect(DiffPreviewSchema.parse(buildPreview(diff(), { limit: 10 })).summary.columns.moved).toHaveLength(1);
  });

  it('mark added, removed, moved and renamed columns in the Diff sheet header, with their own fills', async () => {
    const { path, parts } = await written();
    const d = await readTable(path, 'xlsx', { maxRows: 100, sheet: 'Diff' });
    expect(d.header).toEqual(['Change', 'id', 'qty (moved from D)', 'name', 'Amount (added)', 'extra (added)', 'Total (removed)', 'gone (removed)']);
    const styles = parts.get('xl/styles.xml')!;
    // the column header fills, and neither is a row fill
    expect(styles).toContain('FF63BE7B');
    expect(styles).toContain('FFF8696B');
    const applied = await written({ renames: { Total: 'Amount' } });
    const back = await readTable(applied.path, 'xlsx', { maxRows: 100, sheet: 'Diff' });
    expect(back.header).toEqual(['Change', 'id', 'qty (moved from D)', 'name', 'Amount (was Total)', 'extra (added)', 'gone (removed)']);
    expect(back.rows).toEqual([['changed', '5', '5', 'n5', '99 ← 50', 'y', 'x']]);
  });

  it('list them on the Summary sheet', async () => {
    const { summaryText } = await written();
    for (const text of ['Header row', 'Columns moved', 'Moved column', 'column D → column B', 'Suggested rename', 'Total → Amount', '4 of 5 rows']) {
      expect(summaryText).toContain(text);
    }
    expect(summaryText.slice(summaryText.indexOf('Columns added'), summaryText.indexOf('Columns added') + 4)).toEqual([
      'Columns added',
      'Amount, extra',
      'Columns removed',
      'Total, gone',
    ]);
    const applied = await written({ renames: { Total: 'Amount' } });
    expect(applied.summaryText).toContain('Total → Amount');
    expect(applied.summaryText).not.toContain('Suggested rename');
  });
});
