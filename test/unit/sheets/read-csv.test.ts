import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/errors/index.js';
import { readTable } from '../../../src/sheets/read-table.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sd-csv-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function csv(name: string, body: string | Buffer, opts: { headerRow?: number; maxRows?: number } = {}) {
  const path = join(dir, name);
  await writeFile(path, body);
  return readTable(path, name.endsWith('.tsv') ? 'tsv' : 'csv', { maxRows: opts.maxRows ?? 1000, headerRow: opts.headerRow });
}

async function failure(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

const CJK = '城市,名称\n北京,苹果\n上海,梨子\n';
const CJK_ROWS = [
  ['北京', '苹果'],
  ['上海', '梨子'],
];

describe('readTable (csv)', () => {
  it('reads UTF-8 with a BOM', async () => {
    const t = await csv('bom.csv', '\uFEFF' + CJK);
    expect(t.header).toEqual(['城市', '名称']);
    expect(t.rows).toEqual(CJK_ROWS);
  });

  it('reads UTF-16LE with a BOM', async () => {
    const t = await csv('u16le.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(CJK, 'utf16le')]));
    expect(t.rows).toEqual(CJK_ROWS);
  });

  it('reads UTF-16BE with a BOM', async () => {
    const t = await csv('u16be.csv', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(CJK, 'utf16le').swap16()]));
    expect(t.rows).toEqual(CJK_ROWS);
  });

  it('reads BOM-less UTF-16LE text', async () => {
    const t = await csv('u16nobom.csv', Buffer.from('id,name\n1,abc\n2,def\n', 'utf16le'));
    expect(t.rows).toEqual([
      ['1', 'abc'],
      ['2', 'def'],
    ]);
  });

  it('reads GB18030 (GBK) bytes when the file is not UTF-8', async () => {
    const t = await csv('gbk.csv', iconv.encode(CJK, 'gb18030'));
    expect(t.header).toEqual(['城市', '名称']);
    expect(t.rows).toEqual(CJK_ROWS);
  });

  it('keeps multi-byte characters split across read chunks', async () => {
    const line = '北京,' + '数'.repeat(400_000) + '\n';
    const t = await csv('big.csv', 'a,b\n' + line + line);
    expect(t.rows[1]![1]).toBe('数'.repeat(400_000));
  });

  it('sniffs semicolons and keeps quoted newlines', async () => {
    const t = await csv('semi.csv', 'id;note\r\n1;"two\r\nlines; here"\r\n2;x\r\n');
    expect(t.rows).toEqual([
      ['1', 'two\r\nlines; here'],
      ['2', 'x'],
    ]);
    expect(t.rowNumbers).toEqual([2, 3]);
  });

  it('reads a .tsv', async () => {
    const t = await csv('a.tsv', 'id\tname\n1\ta,b\n');
    expect(t.rows).toEqual([['1', 'a,b']]);
  });

  it('pads ragged rows, keeps values as strings, drops NULs and blank rows', async () => {
    const t = await csv('ragged.csv', 'id,qty,extra\n1,007\n2,3.50,x\u0000y\n\n,,\n\n');
    expect(t.rows).toEqual([
      ['1', '007', null],
      ['2', '3.50', 'xy'],
    ]);
  });

  it('names empty and duplicate headers and widens the header for longer rows', async () => {
    const t = await csv('hdr.csv', 'name,,Name\n1,2,3,4\n');
    expect(t.header).toEqual(['name', 'B', 'Name_2', 'D']);
  });

  it('uses the given header row and skips the rows above it', async () => {
    const t = await csv('hdr2.csv', 'Report 2024\n\nid,v\n1,a\n', { headerRow: 3 });
    expect(t.header).toEqual(['id', 'v']);
    expect(t.rows).toEqual([['1', 'a']]);
  });

  it('fails with too_many_rows past maxRows', async () => {
    const err = await failure(csv('many.csv', 'id\n1\n2\n3\n', { maxRows: 2 }));
    expect(err.code).toBe('too_many_rows');
  });

  it('fails with too_many_cells when padding rows to the widest row would pass maxCells', async () => {
    const path = join(dir, 'wide.csv');
    await writeFile(path, 'id\n' + '1\n'.repeat(50) + '2' + ','.repeat(100) + 'far\n');
    const err = await failure(readTable(path, 'csv', { maxRows: 1000, maxCells: 1000 }));
    expect(err.code).toBe('too_many_cells');
  });

  it('fails with empty_sheet for an empty file', async () => {
    expect((await failure(csv('empty.csv', ''))).code).toBe('empty_sheet');
    expect((await failure(csv('blank.csv', '\n\n,,\n'))).code).toBe('empty_sheet');
  });

  it('stops when the signal is aborted', async () => {
    const path = join(dir, 'abort.csv');
    await writeFile(path, 'a\n1\n');
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(readTable(path, 'csv', { maxRows: 10, signal: ac.signal })).rejects.toThrow();
  });
});
