import { describe, expect, it } from 'vitest';
import type { CellValue } from '../../../src/domain/table.js';
import type { AppError } from '../../../src/errors/index.js';
import { DATE, NOT_DATE } from '../../../src/sheets/excel-date.js';
import { CellsBuilder, isNumberLiteral, plainDecimal, type SheetContext } from '../../../src/sheets/xlsx/cell-values.js';
import { SharedStrings } from '../../../src/sheets/xlsx/shared-strings.js';
import { SheetScanner } from '../../../src/sheets/xlsx/sheet-scanner.js';
import { ChunkFeeder } from '../../../src/sheets/xlsx/xml-part.js';

const enc = (s: string): Uint8Array => Buffer.from(s, 'utf8');

function ctxWith(strings: string[] = []): SheetContext {
  const sst = new SharedStrings();
  for (const s of strings) sst.addString(s);
  return { sharedStrings: sst, dateKinds: [NOT_DATE, DATE], date1904: false, part: 'sheet.xml', xmlBytes: 0 };
}

/** Rows the scanner finds in `xml`, fed in chunks of `size` bytes. */
function scan(xml: string, size: number, ctx = ctxWith()): [number, CellValue[]][] {
  const rows: [number, CellValue[]][] = [];
  const bytes = enc(`<?xml version="1.0"?><worksheet><sheetData>${xml}</sheetData></worksheet>`);
  const feeder = new ChunkFeeder(new SheetScanner(new CellsBuilder(ctx, (n, c) => rows.push([n, c])), 'sheet.xml'), 'sheet.xml');
  for (let i = 0; i < bytes.length; i += size) feeder.push(bytes.subarray(i, i + size));
  feeder.end();
  return rows;
}

const SIZES = [1, 2, 3, 5, 7, 13, 64, 1 << 20];

describe('SheetScanner', () => {
  it.each(SIZES)('gives the same rows whatever the chunk boundaries (%i-byte chunks)', (size) => {
    const xml =
      '<row r="1" spans="1:3"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1"><v>-12.5</v></c></row>' +
      '<row r="2"><c r="A2" s="1"><v>45352</v></c><c r="B2" t="b"><v>1</v></c><c r="C2" t="inlineStr"><is><t>x&amp;y</t></is></c></row>' +
      '<!-- a comment <c r="A9"><v>9</v></c> --><row r="3"><c r="C3" t="str"><f>A1&amp;"!"</f><v>ab<![CDATA[<&>]]>c</v></c>' +
      '<c r="D3" t="inlineStr"><is><r><t>rich </t></r><r><t xml:space="preserve">text</t></r><rPh><t>ruby</t></rPh></is></c></row>';
    expect(scan(xml, size, ctxWith(['alpha', '東京']))).toEqual([
      [1, ['alpha', '東京', -12.5]],
      [2, ['2024-03-01', true, 'x&y']],
      [3, [null, null, 'ab<&>c', 'rich text']],
    ]);
  });

  it.each([1, 7, 1 << 20])('reads prefixed names, odd spacing, single quotes, tabs and newlines (%i-byte chunks)', (size) => {
    const xml =
      "<x:row r='4'><x:c r='B4' t='s'><x:v>0</x:v></x:c></x:row>" +
      '<row r = "5" >\n<c\tr="A5"\n t = "n" ><v>7</v></c ><c r="B5" cm="1"><v>8</v></c><c r="C5" t="e"><v>#DIV/0!</v></c></row>';
    expect(scan(xml, size, ctxWith(['s0']))).toEqual([
      [4, [null, 's0']],
      [5, [7, 8, '#DIV/0!']],
    ]);
  });

  it('places cells without references after the previous one and rows without r after the previous row', () => {
    expect(scan('<row r="3"><c><v>1</v></c><c r="C3"><v>3</v></c><c><v>4</v></c></row><row><c t="b"><v>0</v></c></row>', 4)).toEqual([
      [3, [1, null, 3, 4]],
      [4, [false]],
    ]);
  });

  it('keeps the last of two cells at one reference, and cells out of column order in place', () => {
    expect(scan('<row r="1"><c r="C1"><v>3</v></c><c r="A1"><v>1</v></c><c r="C1"><v>33</v></c></row>', 5)).toEqual([[1, [1, null, 33]]]);
  });

  it('decodes _xHHHH_ escapes in inline text and skips empty and blank rows', () => {
    expect(
      scan('<row r="1"><c r="A1"/><c r="B1" t="inlineStr"><is><t></t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>a_x000D_b</t></is></c></row>', 3),
    ).toEqual([[2, ['a\rb']]]);
  });

  it('refuses an undefined entity and a cell beyond the last column, whatever the chunking', () => {
    for (const size of [3, 1 << 20]) {
      expect(() => scan('<row r="1"><c r="A1" t="inlineStr"><is><t>&bogus;</t></is></c></row>', size)).toThrow(expect.objectContaining({ code: 'malformed_file' }));
      const err = (() => {
        try {
          scan('<row r="1"><c r="XFE1"><v>1</v></c></row>', size);
        } catch (e) {
          return e as AppError;
        }
      })();
      expect(err?.code).toBe('malformed_file');
      expect(err?.message).toContain('XFE1');
    }
  });

  it('refuses a DOCTYPE split across chunks', () => {
    const feeder = new ChunkFeeder(new SheetScanner(new CellsBuilder(ctxWith(), () => undefined), 'p'), 'p');
    expect(() => {
      for (const piece of ['<?xml version="1.0"?><!DOC', 'TYPE x [<!ENTITY a "b">]><worksheet/>']) feeder.push(enc(piece));
      feeder.end();
    }).toThrow(expect.objectContaining({ code: 'dtd_not_allowed' }));
  });

  it('gives up on a tag longer than 16 MiB instead of carrying it forever', () => {
    const feeder = new ChunkFeeder(new SheetScanner(new CellsBuilder(ctxWith(), () => undefined), 'p'), 'p');
    const chunk = enc('a'.repeat(1 << 20));
    expect(() => {
      feeder.push(enc('<row r="1" x="'));
      for (let i = 0; i < 20; i++) feeder.push(chunk);
    }).toThrow(expect.objectContaining({ code: 'malformed_file' }));
  });
});

describe('number parsing', () => {
  it.each(['0', '-0', '12', '-12.5', '0.1', '123456789012345', '3.14159', '007', '1.10'])('plainDecimal(%s) equals Number()', (t) => {
    expect(Object.is(plainDecimal(enc(t), 0, t.length), Number(t))).toBe(true);
  });

  it.each(['', '-', '.5', '5.', '1e3', '1.2.3', '1234567890123456', ' 1', '0x10'])('plainDecimal(%s) leaves %s to Number()', (t) => {
    expect(plainDecimal(enc(t), 0, t.length)).toBeNaN();
  });

  it.each([
    ['1', true],
    ['-1.5E-3', true],
    ['1e999', true],
    ['1.', false],
    ['.5', false],
    ['1e', false],
    ['--1', false],
    ['1-2', false],
    ['Infinity', false],
    ['', false],
  ])('isNumberLiteral(%s) is %s', (t, ok) => {
    expect(isNumberLiteral(enc(t), 0, t.length)).toBe(ok);
  });
});
