import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/errors/index.js';
import { readTable, type ReadTableOptions, type SheetFormat } from '../../../src/sheets/read-table.js';
import { row, writeZip, xlsxEntries, type XlsxParts } from '../../fixtures/sheets/build-xlsx.js';

let dir: string;
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sd-zip-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const BASIC: XlsxParts = { sheets: [{ name: 'S', rows: row(1, ['A1', 'inlineStr', 'id']) + row(2, ['A2', 'n', '1']) }] };

async function codeOf(path: string, format: SheetFormat = 'xlsx', opts: Partial<ReadTableOptions> = {}): Promise<string> {
  const err = await readTable(path, format, { maxRows: 1000, ...opts }).then(
    () => 'ok',
    (e: unknown) => (e instanceof AppError ? e.code : `not an AppError: ${String(e)}`),
  );
  return err;
}

async function zipOf(entries: Map<string, string | Buffer>): Promise<string> {
  const path = join(dir, `z${n++}.xlsx`);
  await writeZip(path, entries);
  return path;
}

describe('xlsx container checks', () => {
  it('refuses an entry that compresses beyond the ratio limit (central directory check)', async () => {
    const entries = xlsxEntries(BASIC);
    entries.set('xl/media/padding.bin', Buffer.alloc(20 * 1024 * 1024));
    expect(await codeOf(await zipOf(entries))).toBe('zip_bomb');
  });

  it('refuses an entry that inflates beyond the size its directory entry declares', async () => {
    const entries = xlsxEntries(BASIC);
    const wb = entries.get('xl/workbook.xml') as string;
    entries.set('xl/workbook.xml', wb + ' '.repeat(3 * 1024 * 1024));
    const path = await zipOf(entries);
    // Rewrite the declared uncompressed size of xl/workbook.xml in the central directory.
    const buf = await readFile(path);
    const name = Buffer.from('xl/workbook.xml');
    for (let i = buf.indexOf(Buffer.from([0x50, 0x4b, 1, 2])); i >= 0; i = buf.indexOf(Buffer.from([0x50, 0x4b, 1, 2]), i + 4)) {
      const len = buf.readUInt16LE(i + 28);
      if (buf.subarray(i + 46, i + 46 + len).equals(name)) buf.writeUInt32LE(4000, i + 24);
    }
    await writeFile(path, buf);
    const err = (await readTable(path, 'xlsx', { maxRows: 10 }).catch((e: unknown) => e)) as AppError;
    expect(err.code).toBe('zip_bomb');
    expect(err.message).toContain('beyond its declared 4000 bytes');
  });

  it('refuses more entries than the limit', async () => {
    const path = await zipOf(xlsxEntries(BASIC));
    const limits = { maxEntries: 3, maxTotalBytes: 1e9, maxRatio: 200, ratioMinBytes: 1e6 };
    expect(await codeOf(path, 'xlsx', { zipLimits: limits })).toBe('zip_bomb');
    expect(await codeOf(path)).toBe('ok');
  });

  it('refuses duplicate entry names', async () => {
    const entries = xlsxEntries(BASIC);
    entries.set('xl/worksheets/sheet9.xml', entries.get('xl/worksheets/sheet1.xml')!);
    const path = await zipOf(entries);
    const buf = await readFile(path);
    const from = Buffer.from('sheet9.xml');
    for (let i = buf.indexOf(from); i >= 0; i = buf.indexOf(from, i + 1)) buf.write('sheet1.xml', i);
    await writeFile(path, buf);
    expect(await codeOf(path)).toBe('malformed_file');
  });

  it('refuses XML with a DOCTYPE (entity expansion, XXE)', async () => {
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>' +
      '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol2;</t></si></sst>';
    const entries = xlsxEntries({ ...BASIC, sharedStrings: '' });
    entries.set('xl/sharedStrings.xml', laughs);
    expect(await codeOf(await zipOf(entries))).toBe('dtd_not_allowed');
  });

  it('refuses an undefined entity as malformed', async () => {
    const entries = xlsxEntries({ sheets: [{ name: 'S', rows: '<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row>' }] });
    expect(await codeOf(await zipOf(entries))).toBe('malformed_file');
  });

  it('reports a compound file holding an EncryptedPackage as password_protected', async () => {
    const path = join(dir, 'enc.xlsx');
    const magic = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
    await writeFile(path, Buffer.concat([magic, Buffer.alloc(1000), Buffer.from('EncryptedPackage', 'utf16le'), Buffer.alloc(100)]));
    expect(await codeOf(path)).toBe('password_protected');
  });

  it.each([
    ['OpenDocument', 'mimetype', 'application/vnd.oasis.opendocument.spreadsheet'],
    ['xlsb', 'xl/workbook.bin', 'x'],
    ['Numbers', 'Index/Document.iwa', 'x'],
  ])('refuses %s as unsupported_format naming the supported ones', async (_n, name, body) => {
    const path = await zipOf(new Map([[name, body]]));
    const err = (await readTable(path, 'xlsx', { maxRows: 10 }).catch((e: unknown) => e)) as AppError;
    expect(err.code).toBe('unsupported_format');
    expect(err.message).toContain('xlsx, xlsm, xls, csv, tsv');
  });

  it('refuses a text file declared as xlsx and a zip without a workbook as malformed', async () => {
    const txt = join(dir, 'not.xlsx');
    await writeFile(txt, 'hello');
    expect(await codeOf(txt)).toBe('malformed_file');
    expect(await codeOf(await zipOf(new Map([['readme.txt', 'x']])))).toBe('malformed_file');
  });
});

// Real-world hostile and odd files (shared/corpus beside the repository, see MANIFEST.tsv).
const CORPUS = resolve(import.meta.dirname, '../../../../shared/corpus');
describe.skipIf(!existsSync(CORPUS))('corpus files', () => {
  it.each([
    ['poi/poifs/protect.xlsx', 'password_protected'],
    ['poi/poifs/protected_sha512.xlsx', 'password_protected'],
    ['poi/spreadsheet/54764.xlsx', 'dtd_not_allowed'],
    ['poi/spreadsheet/poc-xmlbomb.xlsx', 'dtd_not_allowed'],
    ['poi/spreadsheet/poc-xmlbomb-empty.xlsx', 'dtd_not_allowed'],
    ['poi/spreadsheet/duplicate-filename.xlsx', 'malformed_file'],
    ['poi/openxml4j/ContentTypeHasEntities.ooxml', 'unsupported_format'],
    ['poi/spreadsheet/SampleSS.ods', 'unsupported_format'],
    ['poi/spreadsheet/51519.xlsb', 'unsupported_format'],
    ['test_files/minimal_112.numbers', 'unsupported_format'],
    ['poi/spreadsheet/xlsx-corrupted.xlsx', 'malformed_file'],
    ['poi/openxml4j/invalid.xlsx', 'malformed_file'],
    ['poi/spreadsheet/45829.png', 'malformed_file'],
  ])('%s → %s', async (file, code) => {
    expect(await codeOf(join(CORPUS, file))).toBe(code);
  });

  it.each([
    ['poi/openxml4j/sample.xlsx', 'Sheet1'],
    ['poi/spreadsheet/49609.xlsx', 'FAM'],
    ['test_files/wtf_path.xlsx', 'SheetJS'],
    ['test_files/sheet_visibility_strict.xlsx', 'Visible'],
    ['poi/integration/stress020.xlsx', 'Sheet1'],
  ])('reads %s', async (file, sheet) => {
    const t = await readTable(join(CORPUS, file), 'xlsx', { maxRows: 100_000 });
    expect(t.sheetName).toBe(sheet);
    expect(t.header.length).toBeGreaterThan(0);
  });
});
