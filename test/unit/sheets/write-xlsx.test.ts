import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTable } from '../../../src/sheets/read-table.js';
import { crc32Table } from '../../../src/sheets/write/crc32.js';
import { parseIsoDate } from '../../../src/sheets/write/iso-date.js';
import { XlsxWriter } from '../../../src/sheets/write/xlsx-writer.js';
import { readZipEntries } from '../../helpers/zip.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sd-xlsxw-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const parts = readZipEntries;

const COLUMNS = [
  { header: 'id', type: 'integer' as const, width: 8 },
  { header: 'name', type: 'string' as const, width: 30 },
  { header: 'price', type: 'currency' as const },
  { header: 'ratio', type: 'number' as const, numFmt: '0.000' },
  { header: 'day', type: 'date' as const },
  { header: 'at', type: 'datetime' as const },
  { header: 'ok', type: 'boolean' as const },
];

describe('XlsxWriter', () => {
  it('writes typed columns that read back as the same values', async () => {
    const path = join(dir, 'typed.xlsx');
    const x = new XlsxWriter(createWriteStream(path));
    const s = await x.addSheet({ name: 'Orders', columns: COLUMNS, autoFilter: true });
    s.writeRow([1, '=HYPERLINK("http://x")', 12.5, 0.25, '2024-02-29', '2024-02-29T13:45:10', true]);
    s.writeRow([2, ' padded ', -3, null, new Date(Date.UTC(2000, 0, 1)), '2024-01-01T00:00:00Z', false]);
    s.writeRow([3, null, null, null, null, null, null]);
    s.writeRow([4, 'not a date ok', 'n/a', 1, 'soon', '2023-02-30', 'yes']);
    await x.finish();

    const t = await readTable(path, 'xlsx', { maxRows: 10 });
    expect(t.header).toEqual(['id', 'name', 'price', 'ratio', 'day', 'at', 'ok']);
    expect(t.rows).toEqual([
      [1, '=HYPERLINK("http://x")', 12.5, 0.25, '2024-02-29', '2024-02-29T13:45:10', true],
      // the reader shows a whole-day serial as a date even in a datetime column
      [2, ' padded ', -3, null, '2000-01-01', '2024-01-01', false],
      [3, null, null, null, null, null, null],
      // values that do not fit their column are kept as text, never dropped
      [4, 'not a date ok', 'n/a', 1, 'soon', '2023-02-30', 'yes'],
    ]);
    const p = await parts(path);
    const sheet = p.get('xl/worksheets/sheet1.xml')!;
    expect(sheet).not.toContain('<f>');
    expect(sheet).toContain('state="frozen"');
    expect(sheet).toContain('<col min="2" max="2" width="30" customWidth="1"/>');
    expect(sheet).toContain('<autoFilter ref="A1:G5"/>');
    expect(sheet).toContain('xml:space="preserve"');
    const styles = p.get('xl/styles.xml')!;
    expect(styles).toContain('formatCode="yyyy-mm-dd"');
    expect(styles).toContain('formatCode="yyyy-mm-dd hh:mm:ss"');
    expect(styles).toContain('formatCode="0.000"');
    expect(styles).toContain('numFmtId="4"'); // currency: built-in #,##0.00
    expect(p.get('xl/workbook.xml')).toContain('<sheet name="Orders"');
  });

  it('writes several sheets with fills and positions cells after gaps', async () => {
    const path = join(dir, 'multi.xlsx');
    const x = new XlsxWriter(createWriteStream(path));
    const a = await x.addSheet({ name: 'A', columns: [{ header: 'k' }, { header: 'v' }, { header: 'w' }] });
    a.writeRow(['x', null, 3], 'green');
    a.writeRow([null, null, 'z'], undefined, [undefined, undefined, 'yellow']);
    const b = await x.addSheet({ name: 'B: [2]', columns: [{ header: 'n', type: 'number' }], header: false });
    b.writeRow([42]);
    await x.finish();

    const first = await readTable(path, 'xlsx', { maxRows: 10, sheet: 'A' });
    expect(first.sheetNames).toEqual(['A', 'B   2']);
    expect(first.rows).toEqual([
      ['x', null, 3],
      [null, null, 'z'],
    ]);
    const p = await parts(path);
    expect(p.get('xl/styles.xml')).toContain('FFC6EFCE');
    expect(p.get('xl/styles.xml')).toContain('FFFFEB9C');
    expect(p.get('xl/worksheets/sheet2.xml')).not.toContain('state="frozen"');
    expect(p.get('[Content_Types].xml')).toContain('/xl/worksheets/sheet2.xml');
  });

  it('rejects a duplicate sheet name and a workbook without sheets', async () => {
    const x = new XlsxWriter(new Writable({ write: (_c, _e, cb) => cb() }));
    await x.addSheet({ name: 'S', columns: [] });
    await expect(x.addSheet({ name: 's', columns: [] })).rejects.toThrow(/duplicate sheet name/);
    const empty = new XlsxWriter(new Writable({ write: (_c, _e, cb) => cb() }));
    await expect(empty.finish()).rejects.toThrow(/at least one sheet/);
  });

  it('keeps at most a few chunks buffered with a slow destination and writes a valid zip', async () => {
    const chunks: Buffer[] = [];
    let maxBuffered = 0;
    const slow = new Writable({
      highWaterMark: 4096,
      write(chunk: Buffer, _e, cb) {
        chunks.push(chunk);
        maxBuffered = Math.max(maxBuffered, slow.writableLength);
        setTimeout(cb, 0);
      },
    });
    const x = new XlsxWriter(slow);
    const s = await x.addSheet({ name: 'S', columns: [{ header: 'i', type: 'integer' }, { header: 't', type: 'string' }] });
    const noise = randomBytes(64).toString('base64');
    for (let i = 0; i < 30_000; i++) {
      const p = s.writeRow([i, `${noise}${i}`]);
      if (p) await p;
    }
    await x.finish();
    expect(maxBuffered).toBeLessThan(2 * 1024 * 1024);
    const path = join(dir, 'slow.xlsx');
    await writeFile(path, Buffer.concat(chunks));
    const t = await readTable(path, 'xlsx', { maxRows: 100_000 });
    expect(t.rows.length).toBe(30_000);
    expect(t.rows[29_999]).toEqual([29_999, `${noise}29999`]);
  });

  it('fails instead of hanging when the destination errors', async () => {
    const broken = new Writable({
      write(_c, _e, cb) {
        cb(new Error('disk full'));
      },
    });
    broken.on('error', () => undefined);
    const x = new XlsxWriter(broken);
    const run = async (): Promise<void> => {
      const s = await x.addSheet({ name: 'S', columns: [{ header: 't' }] });
      for (let i = 0; i < 200_000; i++) {
        const p = s.writeRow([`row ${i} ${'x'.repeat(50)}`]);
        if (p) await p;
      }
      await x.finish();
    };
    await expect(run()).rejects.toThrow(/disk full|destroyed|closed/);
  });
});

describe('zip pieces', () => {
  it('table CRC-32 equals zlib across chunk boundaries', () => {
    const data = randomBytes(100_000);
    const native = (zlib as unknown as { crc32?: (b: Buffer, p?: number) => number }).crc32;
    let c = 0;
    for (let i = 0; i < data.length; i += 7_777) c = crc32Table(data.subarray(i, i + 7_777), c);
    expect(c).toBe(crc32Table(data, 0));
    if (native) expect(c).toBe(native(data, 0));
    expect(crc32Table(Buffer.from('123456789'), 0)).toBe(0xcbf43926);
  });

  it.each([
    ['2024-02-29', Date.UTC(2024, 1, 29)],
    ['2024-02-29T13:45', Date.UTC(2024, 1, 29, 13, 45)],
    ['2024-02-29 13:45:10.5', Date.UTC(2024, 1, 29, 13, 45, 10, 500)],
    ['2024-02-29T13:45:10+08:00', Date.UTC(2024, 1, 29, 13, 45, 10)],
    ['2023-02-29', null],
    ['2024-13-01', null],
    ['2024-1-01', null],
    ['29/02/2024', null],
    ['', null],
  ])('parseIsoDate(%j)', (s, t) => {
    expect(parseIsoDate(s)).toBe(t);
  });
});

