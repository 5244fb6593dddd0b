import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildXlsx, row } from '../../fixtures/sheets/build-xlsx.js';
import { KeyReportSchema } from '../../../src/contracts/index.js';
import { buildTestApp } from '../../helpers/app.js';
import { upload } from './support.js';

describe('POST /compare/inspect', () => {
  it('reports columns, suggested keys and duplicate groups of two files', async () => {
    const t = await buildTestApp();
    const res = await upload(t.app, {
      url: '/api/v1/compare/inspect',
      fields: { key: 'name' },
      files: [
        { name: 'file1', filename: 'old.csv', content: 'id,name\n1,a\n2,a\n3,b\n' },
        { name: 'file2', filename: 'new.csv', content: 'id,name\n1,a\n4,c\n' },
      ],
    });
    expect(res.statusCode).toBe(200);
    const r = KeyReportSchema.parse(res.json());
    expect(r.suggestedKeys).toEqual([['id']]);
    expect(r.files.map((f) => f.rows)).toEqual([3, 2]);
    expect(r.files.map((f) => f.sheets)).toEqual([[r.files[0]!.sheet], [r.files[1]!.sheet]]);
    expect(r.files[0]!.columns[1]).toMatchObject({ name: 'name', letter: 'B', completeness: 1, uniqueness: 2 / 3 });
    expect(r.duplicatesFor).toEqual(['name']);
    expect(r.duplicates[0]).toEqual([{ key: ['a'], rows: [2, 3], count: 2 }]);
  });

  it('reports the detected header row and the sheets of each file', async () => {
    const t = await buildTestApp();
    const res = await upload(t.app, {
      url: '/api/v1/compare/inspect',
      fields: {},
      files: [
        { name: 'file1', filename: 'old.csv', content: 'Stock report,,\nGenerated,2024-03-01,\n,,\nid,name,qty\n1,a,3\n2,b,5\n' },
        { name: 'file2', filename: 'new.csv', content: 'id,name,qty\n1,a,3\n' },
      ],
    });
    expect(res.statusCode).toBe(200);
    const r = KeyReportSchema.parse(res.json());
    expect(r.files.map(({ sheet, sheets, headerRow, headerRowDetected, rows }) => ({ sheet, sheets, headerRow, headerRowDetected, rows }))).toEqual([
      { sheet: 'Sheet1', sheets: ['Sheet1'], headerRow: 4, headerRowDetected: true, rows: 2 },
      { sheet: 'Sheet1', sheets: ['Sheet1'], headerRow: 1, headerRowDetected: true, rows: 1 },
    ]);
  });

  it('lists the sheets of a workbook and reads the chosen sheet and header row', async () => {
    const t = await buildTestApp();
    const path = join(tmpdir(), `inspect-${process.pid}-${Date.now()}.xlsx`);
    const cell = (ref: string, v: string) => [ref, 'inlineStr', v] as [string, string, string];
    await buildXlsx(path, {
      sheets: [
        { name: 'Notes', rows: row(1, cell('A1', 'read me')) },
        { name: 'Orders', rows: row(1, cell('A1', 'Orders of March')) + row(2, cell('A2', 'sku'), cell('B2', 'qty')) + row(3, cell('A3', 'x1'), cell('B3', '1')) + row(4, cell('A4', 'x2'), cell('B4', '1')) },
      ],
    });
    try {
      const res = await upload(t.app, {
        url: '/api/v1/compare/inspect',
        fields: { sheet: 'Orders', headerRow: '2' },
        files: [{ name: 'file1', filename: 'book.xlsx', content: await readFile(path) }],
      });
      expect(res.statusCode, res.body).toBe(200);
      const r = KeyReportSchema.parse(res.json());
      expect(r.files[0]).toMatchObject({ sheet: 'Orders', sheets: ['Notes', 'Orders'], headerRow: 2, headerRowDetected: false, rows: 2 });
      expect(r.files[0]!.columns.map((c) => c.name)).toEqual(['sku', 'qty']);
      expect(r.suggestedKeys).toEqual([['sku']]);
    } finally {
      await rm(path, { force: true });
    }
  });

  it('answers a coded problem for a bad file or no file', async () => {
    const t = await buildTestApp();
    const bad = await upload(t.app, {
      url: '/api/v1/compare/inspect',
      fields: { key: 'nope' },
      files: [{ name: 'file1', filename: 'a.csv', content: 'id\n1\n' }],
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().code).toBe('key_column_not_found');
    const none = await upload(t.app, { url: '/api/v1/compare/inspect', fields: {}, files: [] });
    expect(none.statusCode).toBe(400);
  });
});
