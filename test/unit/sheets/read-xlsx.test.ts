import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/errors/index.js';
import { readTable, type ReadTableOptions } from '../../../src/sheets/read-table.js';
import { buildXlsx, row, type XlsxParts } from '../../fixtures/sheets/build-xlsx.js';

let dir: string;
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sd-xlsx-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function xlsx(parts: XlsxParts, opts: Partial<ReadTableOptions> = {}) {
  const path = join(dir, `f${n++}.xlsx`);
  await buildXlsx(path, parts);
  return readTable(path, 'xlsx', { maxRows: 1000, ...opts });
}

const STYLES =
  '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>' +
  '<numFmt numFmtId="165" formatCode="&quot;Day &quot;0.00"/></numFmts>' +
  '<cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/>' +
  '<xf numFmtId="22"/><xf numFmtId="20"/></cellXfs>';

describe('readTable (xlsx)', () => {
  it('reads shared strings with rich-text runs, skipping phonetic guides', async () => {
    const t = await xlsx({
      sharedStrings:
        '<si><t>name</t></si><si><r><t>Hello </t></r><r><rPr><b/></rPr><t>World</t></r></si>' +
        '<si><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh></si><si><t xml:space="preserve"> a_x000D_b </t></si>',
      sheets: [{ name: 'S', rows: row(1, ['A1', 's', '0']) + row(2, ['A2', 's', '1']) + row(3, ['A3', 's', '2']) + row(4, ['A4', 's', '3']) }],
    });
    expect(t.header).toEqual(['name']);
    expect(t.rows).toEqual([['Hello World'], ['東京'], [' a\rb ']]);
  });

  it('reads every cell type', async () => {
    const t = await xlsx({
      sheets: [
        {
          name: 'S',
          rows:
            row(1, ['A1', 'inlineStr', 'n'], ['B1', 'inlineStr', 'b'], ['C1', 'inlineStr', 'e'], ['D1', 'inlineStr', 'str'], ['E1', 'inlineStr', 'd']) +
            '<row r="2"><c r="A2"><v>1.5E3</v></c><c r="B2" t="b"><v>1</v></c><c r="C2" t="e"><v>#N/A</v></c>' +
            '<c r="D2" t="str"><f>A2&amp;"x"</f><v>1500x</v></c><c r="E2" t="d"><v>2024-03-01T00:00:00Z</v></c></row>',
        },
      ],
    });
    expect(t.rows).toEqual([[1500, true, '#N/A', '1500x', '2024-03-01']]);
  });

  it('places cells by reference in sparse rows and columns, never by the declared dimension', async () => {
    const t = await xlsx({
      sheets: [
        {
          name: 'S',
          rows: '<dimension ref="A1:XFD1048576"/>' + row(1, ['A1', 'inlineStr', 'id'], ['D1', 'inlineStr', 'v']) + row(5, ['D5', 'n', '4']) + row(7, ['A7', 'n', '1']),
        },
      ],
    });
    expect(t.header).toEqual(['id', 'B', 'C', 'v']);
    expect(t.rows).toEqual([
      [null, null, null, 4],
      [1, null, null, null],
    ]);
    expect(t.rowNumbers).toEqual([5, 7]);
  });

  it('places cells without references one after another', async () => {
    const t = await xlsx({
      sheets: [{ name: 'S', rows: '<row><c t="inlineStr"><is><t>a</t></is></c><c t="inlineStr"><is><t>b</t></is></c></row><row><c><v>1</v></c><c><v>2</v></c></row>' }],
    });
    expect(t.rows).toEqual([[1, 2]]);
  });

  it('turns date-formatted numbers into ISO text (built-in, custom CJK, date-time, time)', async () => {
    const t = await xlsx({
      styles: STYLES,
      sheets: [
        {
          name: 'S',
          rows:
            row(1, ['A1', 'inlineStr', 'd'], ['B1', 'inlineStr', 'cjk'], ['C1', 'inlineStr', 'quoted'], ['D1', 'inlineStr', 'dt'], ['E1', 'inlineStr', 't']) +
            row(2, ['A2', 'n', '45352', 1], ['B2', 'n', '45352', 2], ['C2', 'n', '45352', 3], ['D2', 'n', '45352.5', 4], ['E2', 'n', '0.75', 5]) +
            row(3, ['A3', 'n', '60', 1], ['B3', 'n', '61', 1], ['C3', 'n', '1', 1]),
        },
      ],
    });
    expect(t.rows).toEqual([
      ['2024-03-01', '2024-03-01', 45352, '2024-03-01T12:00:00', '18:00:00'],
      ['1900-02-29', '1900-03-01', '1900-01-01', null, null],
    ]);
  });

  it('uses the 1904 date system when the workbook says so', async () => {
    const t = await xlsx({
      date1904: true,
      styles: STYLES,
      sheets: [{ name: 'S', rows: row(1, ['A1', 'inlineStr', 'd']) + row(2, ['A2', 'n', '0', 1]) + row(3, ['A3', 'n', '43890', 1]) }],
    });
    expect(t.rows).toEqual([['1904-01-01'], ['2024-03-01']]);
  });

  it('reads entries written with data descriptors (streamed zip)', async () => {
    const t = await xlsx({
      stream: true,
      sharedStrings: '<si><t>id</t></si>',
      sheets: [{ name: 'S', rows: row(1, ['A1', 's', '0']) + row(2, ['A2', 'n', '7']) }],
    });
    expect(t.rows).toEqual([[7]]);
  });

  it('chooses a sheet by name, case-insensitively, and lists the sheets when it is missing', async () => {
    const parts: XlsxParts = {
      sheets: [
        { name: 'First', rows: row(1, ['A1', 'inlineStr', 'a']) + row(2, ['A2', 'n', '1']) },
        { name: 'Second', rows: row(1, ['A1', 'inlineStr', 'b']) + row(2, ['A2', 'n', '2']) },
      ],
    };
    expect((await xlsx(parts)).header).toEqual(['a']);
    const t = await xlsx(parts, { sheet: 'second' });
    expect(t.sheetName).toBe('Second');
    expect(t.sheetNames).toEqual(['First', 'Second']);
    const err = (await xlsx(parts, { sheet: 'Third' }).catch((e: unknown) => e)) as AppError;
    expect(err.code).toBe('sheet_not_found');
    expect(err.details?.available).toEqual(['First', 'Second']);
  });

  it('reads a preferred sheet when it exists and has cells, else the first sheet with cells', async () => {
    const parts: XlsxParts = {
      sheets: [
        { name: 'First', table: [['a'], [1]] },
        { name: 'Empty', table: [] },
        { name: 'Second', table: [['b'], [2]] },
      ],
    };
    expect((await xlsx(parts, { preferSheet: ' second ' })).sheetName).toBe('Second');
    expect((await xlsx(parts, { preferSheet: 'Third' })).sheetName).toBe('First');
    expect((await xlsx(parts, { preferSheet: 'Empty' })).sheetName).toBe('First');
    expect((await xlsx(parts, { sheet: 'First', preferSheet: 'Second' })).sheetName).toBe('First');
  });

  it('detects the header row below a title unless one is chosen', async () => {
    const parts: XlsxParts = { sheets: [{ name: 'S', table: [['Stock 2024'], [], ['id', 'qty'], ['A', 1], ['B', 2]] }] };
    const t = await xlsx(parts);
    expect([t.headerRow, t.headerRowDetected, t.header, t.rowNumbers]).toEqual([3, true, ['id', 'qty'], [4, 5]]);
    const chosen = await xlsx(parts, { headerRow: 1 });
    expect([chosen.headerRow, chosen.headerRowDetected, chosen.header]).toEqual([1, false, ['Stock 2024', 'B']]);
  });

  it('uses the header row option and fails with too_many_rows and empty_sheet', async () => {
    const parts: XlsxParts = {
      sheets: [{ name: 'S', rows: row(1, ['A1', 'inlineStr', 'title']) + row(3, ['A3', 'inlineStr', 'id']) + row(4, ['A4', 'n', '1']) + row(5, ['A5', 'n', '2']) }],
    };
    expect((await xlsx(parts, { headerRow: 3 })).rows).toEqual([[1], [2]]);
    expect(((await xlsx(parts, { maxRows: 2 }).catch((e: unknown) => e)) as AppError).code).toBe('too_many_rows');
    const empty = await xlsx({ sheets: [{ name: 'S', rows: '' }] }).catch((e: unknown) => e);
    expect((empty as AppError).code).toBe('empty_sheet');
  });
});
