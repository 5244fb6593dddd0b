import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as XLSX from '@e965/xlsx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffTables } from '../../../src/domain/diff.js';
import { AppError } from '../../../src/errors/index.js';
import { readTable } from '../../../src/sheets/read-table.js';
import { readXls } from '../../../src/sheets/xls/read-xls.js';
import { options } from '../domain/table-helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sd-tools-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const CSV = 'id,name,price,day,active,city\n1,apple,1.5,2024-03-01,true,北京\n2,pear,20,1999-12-31,false,上海\n3,"a, b",-3.25,,true,\n';

/** The same table SheetJS writes as a typed workbook: numbers, booleans, date-formatted serials. */
function sheetJsWorkbook(): XLSX.WorkBook {
  const ws = XLSX.utils.aoa_to_sheet([
    ['id', 'name', 'price', 'day', 'active', 'city'],
    [1, 'apple', 1.5, 45352, true, '北京'],
    [2, 'pear', 20, 36525, false, '上海'],
    [3, 'a, b', -3.25, null, true, null],
  ]);
  for (const ref of ['D2', 'D3']) ws[ref]!.z = 'yyyy-mm-dd';
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, ws, 'Data');
  XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([['other'], [1]]), 'Other');
  return wb;
}

async function write(name: string, data: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, data);
  return path;
}

describe('files written by another tool (SheetJS)', () => {
  it('reads a SheetJS xlsx and finds no difference with the same data as CSV', async () => {
    const xlsxPath = await write('sheetjs.xlsx', XLSX.write(sheetJsWorkbook(), { type: 'buffer', bookType: 'xlsx', compression: true }));
    const csvPath = await write('same.csv', CSV);
    const a = await readTable(xlsxPath, 'xlsx', { maxRows: 100 });
    const b = await readTable(csvPath, 'csv', { maxRows: 100 });
    expect(a.sheetNames).toEqual(['Data', 'Other']);
    expect(a.rows[0]).toEqual([1, 'apple', 1.5, '2024-03-01', true, '北京']);
    const r = diffTables(a, b, { key: ['id'], options: options() });
    expect(r.summary.rows).toEqual({ added: 0, removed: 0, changed: 0, unchanged: 3, duplicateKeys: 0 });
  });

  it('reads a BIFF8 .xls in a worker with the same values as the xlsx', async () => {
    const xlsPath = await write('sheetjs.xls', XLSX.write(sheetJsWorkbook(), { type: 'buffer', bookType: 'biff8' }));
    const t = await readTable(xlsPath, 'xls', { maxRows: 100 });
    expect(t.sheetNames).toEqual(['Data', 'Other']);
    expect(t.header).toEqual(['id', 'name', 'price', 'day', 'active', 'city']);
    expect(t.rows).toEqual([
      [1, 'apple', 1.5, '2024-03-01', true, '北京'],
      [2, 'pear', 20, '1999-12-31', false, '上海'],
      [3, 'a, b', -3.25, null, true, null],
    ]);
    expect((await readTable(xlsPath, 'xls', { maxRows: 100, sheet: 'other' })).header).toEqual(['other']);
    const err = (await readTable(xlsPath, 'xls', { maxRows: 100, sheet: 'nope' }).catch((e: unknown) => e)) as AppError;
    expect(err.code).toBe('sheet_not_found');
    expect(err.details?.available).toEqual(['Data', 'Other']);
    // a preferred sheet is read when it exists, and is no error when it does not
    expect((await readTable(xlsPath, 'xls', { maxRows: 100, preferSheet: 'OTHER' })).sheetName).toBe('Other');
    expect((await readTable(xlsPath, 'xls', { maxRows: 100, preferSheet: 'nope' })).sheetName).toBe('Data');
    const many = (await readTable(xlsPath, 'xls', { maxRows: 2 }).catch((e: unknown) => e)) as AppError;
    expect(many.code).toBe('too_many_rows');
  });

  it('gives up on an xls parse that takes too long', async () => {
    const xlsPath = await write('slow.xls', XLSX.write(sheetJsWorkbook(), { type: 'buffer', bookType: 'biff8' }));
    const err = (await readTable(xlsPath, 'xls', { maxRows: 100, xlsTimeoutMs: 1 }).catch((e: unknown) => e)) as AppError;
    expect(err.code).toBe('malformed_file');
    expect(err.message).toContain('took too long');
  });

  it('blames a parser that cannot be loaded on the installation, retryably, not on the file', async () => {
    const xlsPath = await write('fine.xls', XLSX.write(sheetJsWorkbook(), { type: 'buffer', bookType: 'biff8' }));
    const parserModule = join(dir, 'no-such-parser.js');
    const err = (await readXls(xlsPath, { maxRows: 100, parserModule }).catch((e: unknown) => e)) as AppError;
    expect(err).toBeInstanceOf(AppError);
    expect([err.code, err.retryable]).toEqual(['internal_error', true]);
    expect(err.message).toContain('could not be loaded');
    // The same file with the installed parser reads.
    expect((await readXls(xlsPath, { maxRows: 100 })).rows).toHaveLength(3);
  });
});

const CORPUS = resolve(import.meta.dirname, '../../../../shared/corpus');
describe.skipIf(!existsSync(CORPUS))('corpus .xls files', () => {
  it('reads 1904-system dates', async () => {
    const t = await readTable(join(CORPUS, 'poi/spreadsheet/1904DateWindowing.xls'), 'xls', { maxRows: 100, headerRow: 1 });
    expect(t.header[0]).toBe('2000-01-01');
  });

  it.each(['poi/spreadsheet/35897-type4.xls', 'poi/spreadsheet/50833.xls'])('reports %s as password_protected', async (f) => {
    const err = (await readTable(join(CORPUS, f), 'xls', { maxRows: 100 }).catch((e: unknown) => e)) as AppError;
    expect(err.code).toBe('password_protected');
  });
});
