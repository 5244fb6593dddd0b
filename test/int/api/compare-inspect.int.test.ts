import { describe, expect, it } from 'vitest';
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
