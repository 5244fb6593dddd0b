import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CELL_CODEC } from '../../../src/domain/keyed/record-codec.js';
import type { CellValue } from '../../../src/domain/table.js';
import { diffFiles } from '../../../src/sheets/diff/diff-files.js';
import { createKeyEncoder } from '../../../src/sheets/diff/key-bytes.js';
import { readSide } from '../../../src/sheets/diff/side-reader.js';
import { readTable, type ReadTableOptions } from '../../../src/sheets/read-table.js';
import { CellsBuilder } from '../../../src/sheets/xlsx/cell-values.js';
import { readXlsxSheet } from '../../../src/sheets/xlsx/read-xlsx.js';
import { SharedStrings } from '../../../src/sheets/xlsx/shared-strings.js';
import { buildXlsx, row } from '../../fixtures/sheets/build-xlsx.js';
import { options } from '../domain/table-helpers.js';

let dir: string;
let spillDir: string;
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sd-sst-test-'));
  spillDir = await mkdtemp(join(tmpdir(), 'sd-sst-spill-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(spillDir, { recursive: true, force: true });
});

/** String `i` of the test table: short, empty, multibyte, escaped, rich text, or longer than a 64 KiB block. */
function stringXml(i: number): [xml: string, text: string] {
  if (i % 997 === 5) {
    const t = `long${i}-${'x'.repeat(70_000 + i)}`;
    return [`<si><t>${t}</t></si>`, t];
  }
  if (i % 50 === 1) return ['<si><t/></si>', ''];
  if (i % 13 === 2) return [`<si><t>a&amp;b ${i} &lt;</t></si>`, `a&b ${i} <`];
  if (i % 11 === 3) return [`<si><r><t>rich ${i}</t></r><r><t xml:space="preserve"> 東京</t></r><rPh><t>とうきょう</t></rPh></si>`, `rich ${i} 東京`];
  if (i % 7 === 4) return [`<si><t>東京 ${i} é</t></si>`, `東京 ${i} é`];
  return [`<si><t>s${i}</t></si>`, `s${i}`];
}

const STRINGS = 6000;
const texts: string[] = [];
let sstXml = '';
for (let i = 0; i < STRINGS; i++) {
  const [x, t] = stringXml(i);
  sstXml += x;
  texts.push(t);
}

/** A sheet of `rows` rows: id, two shared strings picked pseudo-randomly, a number. */
async function workbook(rows: number, seed: number, sharedStrings = sstXml): Promise<string> {
  let r = seed;
  const next = () => (r = (Math.imul(r, 1103515245) + 12345) >>> 0) % STRINGS;
  let xml = row(1, ['A1', 'inlineStr', 'id'], ['B1', 'inlineStr', 'name'], ['C1', 'inlineStr', 'city'], ['D1', 'inlineStr', 'qty']);
  for (let i = 2; i <= rows; i++) {
    xml += row(i, [`A${i}`, 'n', String(i)], [`B${i}`, 's', String(next())], [`C${i}`, 's', String(next())], [`D${i}`, 'n', String(i * 7)]);
  }
  const path = join(dir, `w${n++}.xlsx`);
  await buildXlsx(path, { sharedStrings, sheets: [{ name: 'S', rows: xml }] });
  return path;
}

/** Records readSide emits (key text, decoded cells, row number). */
async function records(path: string, opts: Partial<ReadTableOptions>): Promise<[string, CellValue[], number][]> {
  const out: [string, CellValue[], number][] = [];
  let width = 0;
  await readSide(path, 'xlsx', { maxRows: 100_000, ...opts }, (h) => ((width = h.length), [0]), createKeyEncoder(options()), (k, ks, ke, rec, rs, re, rn) => {
    out.push([Buffer.from(k.subarray(ks, ke)).toString('utf8'), CELL_CODEC.decode(rec, rs, re, width), rn]);
  });
  return out;
}

const small = (budget: number): Partial<ReadTableOptions> => ({ sharedStringsBytes: budget, tmpDir: spillDir });

describe('shared strings past their memory budget', () => {
  it('keeps strings in a temporary file read back by offset: the same bytes and text, files removed on close', async () => {
    const mem = new SharedStrings();
    const disk = new SharedStrings(0, { budgetBytes: 50_000, tmpDir: spillDir });
    for (const t of texts) {
      mem.addString(t);
      disk.addString(t);
    }
    mem.finish();
    disk.finish();
    expect(mem.onDisk).toBe(false);
    expect(disk.onDisk).toBe(true);
    expect(await readdir(spillDir)).toHaveLength(1);
    expect(disk.count).toBe(STRINGS);
    // out of order, twice (cache hits and misses), every string
    for (const order of [[...texts.keys()].reverse(), [...texts.keys()].filter((i) => i % 3 === 0), [...texts.keys()]]) {
      for (const i of order) {
        expect(disk.get(i)).toBe(texts[i]);
        const b = disk.bytesOf(i);
        expect(b.toString('utf8', disk.viewStart, disk.viewEnd)).toBe(texts[i]);
      }
    }
    expect(disk.get(STRINGS)).toBeUndefined();
    disk.close();
    disk.close();
    expect(await readdir(spillDir)).toEqual([]);
  });

  it.each([1024, 200_000])('gives the diff path and readTable the same records and rows as the in-memory table (budget %i bytes)', async (budget) => {
    const path = await workbook(3000, 7);
    const onDisk: boolean[] = [];
    await readXlsxSheet(path, { sharedStrings: { budgetBytes: budget, tmpDir: spillDir } }, (ctx) => {
      onDisk.push(ctx.sharedStrings.onDisk);
      return new CellsBuilder(ctx, () => undefined);
    });
    expect(onDisk).toEqual([true]);
    expect(await readdir(spillDir)).toEqual([]);

    const expected = await records(path, {});
    expect(expected).toHaveLength(2999);
    expect(expected.some((r) => String(r[1][1]).startsWith('long'))).toBe(true);
    expect(await records(path, small(budget))).toEqual(expected);
    expect(await readTable(path, 'xlsx', { maxRows: 100_000, ...small(budget) })).toEqual(await readTable(path, 'xlsx', { maxRows: 100_000 }));
    expect(await readdir(spillDir)).toEqual([]);
  });

  it('gives diffFiles the same result with both tables on disk', async () => {
    const [a, b] = [await workbook(2000, 7), await workbook(2000, 8)];
    const spec = { key: ['id'], options: options() };
    const tmp = { maxRows: 100_000, tmpDir: spillDir };
    const mem = await diffFiles({ path: a, format: 'xlsx' }, { path: b, format: 'xlsx' }, spec, tmp);
    const disk = await diffFiles({ path: a, format: 'xlsx' }, { path: b, format: 'xlsx' }, spec, { ...tmp, sharedStringsBytes: 4096 });
    expect(mem.summary.rows.changed).toBeGreaterThan(1500);
    expect({ ...disk, changes: [...disk.changes] }).toEqual({ ...mem, changes: [...mem.changes] });
    expect(await readdir(spillDir)).toEqual([]);
  });

  it('removes the files when the shared strings part is malformed after the spill', async () => {
    const path = await workbook(10, 7, sstXml + '<si><t>bad &undefined; entity</t></si>');
    await expect(readTable(path, 'xlsx', { maxRows: 100, ...small(1024) })).rejects.toMatchObject({ code: 'malformed_file' });
    expect(await readdir(spillDir)).toEqual([]);
  });

  it('removes the files when the sheet fails after the table spilled', async () => {
    const path = join(dir, `w${n++}.xlsx`);
    await buildXlsx(path, { sharedStrings: sstXml, sheets: [{ name: 'S', rows: row(1, ['A1', 's', '1']) + '<row r="2"><c r="A2"><v>1</v></c><!DOCTYPE x></row>' }] });
    await expect(readTable(path, 'xlsx', { maxRows: 100, ...small(1024) })).rejects.toThrow();
    expect(await readdir(spillDir)).toEqual([]);
  });

  it('removes the files when the read is aborted while the sheet is scanned', async () => {
    const path = await workbook(3000, 9);
    const ac = new AbortController();
    let rows = 0;
    const read = readXlsxSheet(path, { signal: ac.signal, sharedStrings: { budgetBytes: 1024, tmpDir: spillDir } }, (ctx) => {
      return new CellsBuilder(ctx, () => {
        if (++rows === 10) ac.abort(new Error('stop'));
      });
    });
    await expect(read).rejects.toThrow();
    expect(await readdir(spillDir)).toEqual([]);
  });
});
