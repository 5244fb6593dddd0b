import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CELL_CODEC } from '../../../src/domain/keyed/record-codec.js';
import type { CellValue } from '../../../src/domain/table.js';
import { diffFiles } from '../../../src/sheets/diff/diff-files.js';
import { createKeyEncoder } from '../../../src/sheets/diff/key-bytes.js';
import { readSide } from '../../../src/sheets/diff/side-reader.js';
import { readTable } from '../../../src/sheets/read-table.js';
import { buildXlsx, row, type XlsxParts } from '../../fixtures/sheets/build-xlsx.js';
import { options } from '../domain/table-helpers.js';

let dir: string;
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sd-xrec-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(parts: XlsxParts): Promise<string> {
  const path = join(dir, `f${n++}.xlsx`);
  await buildXlsx(path, parts);
  return path;
}

/** Records readSide emits for key columns `key`: key text, decoded cells, row number. */
async function records(path: string, key: number[], o = options()): Promise<[string, CellValue[], number][]> {
  const out: [string, CellValue[], number][] = [];
  let width = 0;
  await readSide(path, 'xlsx', { maxRows: 1000 }, (h) => ((width = h.length), key), createKeyEncoder(o), (k, ks, ke, r, rs, re, rn) => {
    out.push([Buffer.from(k.subarray(ks, ke)).toString('utf8'), CELL_CODEC.decode(r, rs, re, width), rn]);
  });
  return out;
}

const STYLES = '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs>';

describe('xlsx records (the diff path)', () => {
  it('encodes every cell as readTable reads it: separators inside text, dates, out-of-order cells, cells past the header', async () => {
    const path = await file({
      styles: STYLES,
      sharedStrings: '<si><t>id</t></si><si><t>a\u001fb\u001ec</t></si><si><t></t></si>',
      sheets: [
        {
          name: 'S',
          rows:
            row(1, ['A1', 's', '0'], ['B1', 'inlineStr', 'v'], ['C1', 'inlineStr', 'w']) +
            row(2, ['A2', 'n', '1'], ['B2', 's', '1'], ['C2', 'inlineStr', 'x\u001fy']) +
            row(3, ['A3', 'n', '2'], ['B3', 'n', '45352', 1], ['C3', 'b', '1'], ['E3', 'n', '9']) +
            '<row r="4"><c r="C4"><v>3</v></c><c r="A4"><v>1.50</v></c></row>' +
            row(5, ['A5', 'str', '&#x41;&lt;'], ['B5', 'e', '#N/A'], ['C5', 'n', '1E3']) +
            row(6, ['A6', 's', '2']) +
            row(7, ['D7', 'n', '5']),
        },
      ],
    });
    const table = await readTable(path, 'xlsx', { maxRows: 1000 });
    const recs = await records(path, [0]);
    expect(recs.map((r) => r[1])).toEqual(table.rows.map((r) => r.slice(0, 3)));
    expect(recs.map((r) => r[2])).toEqual([2, 3, 4, 5, 7]);
    expect(recs.map((r) => r[0])).toEqual(['1', '2', '1.5', 'A<', '']);
  });

  it('diffs a sheet whose first data row has cells only right of the header (an empty record and key)', async () => {
    const path = await file({
      sheets: [
        {
          name: 'S',
          rows: row(1, ['A1', 'inlineStr', 'id'], ['B1', 'inlineStr', 'v']) + row(2, ['D2', 'n', '5']) + row(3, ['A3', 'n', '1'], ['B3', 'n', '2']) + row(4, ['E4', 'n', '6']),
        },
      ],
    });
    const r = await diffFiles({ path, format: 'xlsx' }, { path, format: 'xlsx' }, { key: ['id'], options: options() }, { maxRows: 100, tmpDir: dir });
    expect(r.summary.rows).toEqual({ added: 0, removed: 0, changed: 0, unchanged: 1, duplicateKeys: 4 });
  });

  it('builds composite keys from raw parts as the cell path would', async () => {
    const path = await file({
      sheets: [
        {
          name: 'S',
          rows:
            row(1, ['A1', 'inlineStr', 'a'], ['B1', 'inlineStr', 'b'], ['C1', 'inlineStr', 'c']) +
            row(2, ['A2', 'inlineStr', 'x'], ['B2', 'n', '7'], ['C2', 'b', '1']) +
            row(3, ['A3', 'inlineStr', ' X '], ['C3', 'n', '0.50']),
        },
      ],
    });
    const enc = createKeyEncoder(options());
    const table = await readTable(path, 'xlsx', { maxRows: 10 });
    for (const key of [[0, 1], [0, 2], [2]]) {
      const recs = await records(path, key);
      expect(recs.map((r) => r[0])).toEqual(table.rows.map((cells) => enc.fromCells(cells, key).toString('utf8')));
    }
    const loose = options({ trim: true, ignoreCase: true });
    const recs = await records(path, [0], loose);
    expect(recs.map((r) => r[0])).toEqual(table.rows.map((cells) => createKeyEncoder(loose).fromCells(cells, [0]).toString('utf8')));
  });

  it('matches a number key with its text written differently in the other file', async () => {
    const head = row(1, ['A1', 'inlineStr', 'id'], ['B1', 'inlineStr', 'v']);
    const old = await file({ sheets: [{ name: 'S', rows: head + row(2, ['A2', 'n', '1.50'], ['B2', 'n', '1']) + row(3, ['A3', 'n', '2'], ['B3', 'n', '2']) }] });
    const nu = await file({ sheets: [{ name: 'S', rows: head + row(2, ['A2', 'inlineStr', '1.5'], ['B2', 'n', '1.0']) + row(3, ['A3', 'n', '2'], ['B3', 'n', '3']) }] });
    const r = await diffFiles({ path: old, format: 'xlsx' }, { path: nu, format: 'xlsx' }, { key: ['id'], options: options() }, { maxRows: 100, tmpDir: dir });
    expect(r.summary.rows).toMatchObject({ added: 0, removed: 0, changed: 1, unchanged: 1 });
  });

  it('refuses a sheet whose shared strings expand it a hundredfold (a shared-strings bomb)', async () => {
    const big = 'x'.repeat(200_000);
    let rows = row(1, ['A1', 'inlineStr', 'id'], ['B1', 'inlineStr', 'v']);
    for (let i = 2; i < 400; i++) rows += row(i, [`A${i}`, 'n', String(i)], [`B${i}`, 's', '0']);
    const path = await file({ sharedStrings: `<si><t>${big}</t></si>`, sheets: [{ name: 'S', rows }] });
    const err = await diffFiles({ path, format: 'xlsx' }, { path, format: 'xlsx' }, { key: ['id'], options: options() }, { maxRows: 1000, tmpDir: dir }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'zip_bomb' });
    // the cell path holds the one string once and reads it
    expect((await readTable(path, 'xlsx', { maxRows: 1000 })).rows).toHaveLength(398);
  });

  it('spills to partitions when the rows it holds pass the limit though the estimate did not', async () => {
    const text = 'y'.repeat(20_000);
    const sst = `<si><t>id</t></si><si><t>${text}a</t></si><si><t>${text}b</t></si>`;
    const sheet = (change: number): string => {
      let rows = row(1, ['A1', 's', '0'], ['B1', 'inlineStr', 'v'], ['C1', 'inlineStr', 'w']);
      for (let i = 2; i < 600; i++) rows += row(i, [`A${i}`, 'n', String(i)], [`B${i}`, 's', i === change ? '2' : '1'], [`C${i}`, 's', '1']);
      return rows;
    };
    const old = await file({ sharedStrings: sst, sheets: [{ name: 'S', rows: sheet(-1) }] });
    const nu = await file({ sharedStrings: sst, sheets: [{ name: 'S', rows: sheet(100) }] });
    const run = (spillBytes: number, tmpDir: string) =>
      diffFiles({ path: old, format: 'xlsx' }, { path: nu, format: 'xlsx' }, { key: ['id'], options: options() }, { maxRows: 1000, spillBytes, tmpDir });
    const inMemory = await run(256 << 20, dir);
    expect(inMemory.summary.rows).toMatchObject({ changed: 1, unchanged: 597 });
    // the spill path makes its directory under tmpDir: a missing one shows the spill was taken
    await expect(run(4 << 20, join(dir, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
    const spilled = await run(4 << 20, dir);
    expect(spilled.summary).toEqual(inMemory.summary);
    expect([...spilled.changes]).toEqual([...inMemory.changes]);
  });
});
