import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsvRecord, scanCsvRecords } from '../../../src/sheets/diff/csv-records.js';
import { readTable } from '../../../src/sheets/read-table.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sd-csvrec-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('scanCsvRecords', () => {
  it('gives the records CsvParser gives across 1 MiB chunk boundaries, quoted line breaks, CRLF and NUL bytes included', async () => {
    let text = 'id,note\r\n';
    for (let i = 0; text.length < 3.5 * (1 << 20); i++) {
      const note = i % 97 === 0 ? `"multi\nline ""${i}""\n${'x'.repeat(i % 5000)}"` : i % 13 === 0 && i < 2000 ? `plain\u0000${i}` : 'y'.repeat(i % 300);
      text += `${i},${note}${i % 2 ? '\r\n' : '\n'}`;
    }
    const path = join(dir, 'big.csv');
    await writeFile(path, text);
    const got: string[][] = [];
    const dec = new TextDecoder();
    await scanCsvRecords(path, 0, ',', (buf, s, e) => got.push(parseCsvRecord(dec.decode(buf.subarray(s, e)), ',')));
    const table = await readTable(path, 'csv', { maxRows: 1e6 });
    expect(got[0]).toEqual(table.header);
    // the table reader reads an empty cell as null
    expect(got.slice(1)).toEqual(table.rows.map((r) => r.map((v) => v ?? '')));
  });
});
