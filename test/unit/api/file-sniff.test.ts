import { describe, expect, it } from 'vitest';
import { looksBinary, sniffSpreadsheet } from '../../../src/services/file-sniff.js';

const bytes = (...b: number[]) => Buffer.from(b);
const pad = (b: Buffer) => Buffer.concat([b, Buffer.alloc(64, 0x41)]);

describe('sniffSpreadsheet', () => {
  it.each([
    ['zip named .xlsx', pad(bytes(0x50, 0x4b, 0x03, 0x04)), 'a.xlsx', 'xlsx'],
    ['zip named .XLSM', pad(bytes(0x50, 0x4b, 0x03, 0x04)), 'a.XLSM', 'xlsm'],
    ['zip without extension', pad(bytes(0x50, 0x4b, 0x03, 0x04)), 'upload', 'xlsx'],
    ['CFB (xls or encrypted OOXML)', pad(bytes(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1)), 'a.xlsx', 'xls'],
    ['UTF-8 CSV', Buffer.from('id,name\n1,苹果\n'), 'a.csv', 'csv'],
    ['UTF-8 CSV with BOM', Buffer.from('\ufeffid,name\r\n1,x\r\n'), 'a.csv', 'csv'],
    ['TSV named .txt', Buffer.from('id\tname\n1\tx\n'), 'a.txt', 'csv'],
    ['CSV named .xls (legacy exports)', Buffer.from('a,b\n1,2\n'), 'report.xls', 'csv'],
    ['UTF-16LE with BOM', Buffer.concat([bytes(0xff, 0xfe), Buffer.from('id,name\n1,x\n', 'utf16le')]), 'a.csv', 'csv'],
    ['UTF-16LE without BOM', Buffer.from('id,name\n1,x\n2,y\n', 'utf16le'), 'a.csv', 'csv'],
    ['GB18030 text', Buffer.from([0xc3, 0xfb, 0xb3, 0xc6, 0x2c, 0xca, 0xfd, 0xc1, 0xbf, 0x0a]), 'a.csv', 'csv'],
    ['text starting with MZ', Buffer.from('MZ_code,qty\n1,2\n'), 'a.csv', 'csv'],
    ['text starting with RIFF', Buffer.from('RIFF,qty\n1,2\n'), 'a.csv', 'csv'],
  ])('accepts %s', (_name, head, fileName, format) => {
    expect(sniffSpreadsheet(head, fileName)).toBe(format);
  });

  it.each([
    ['PNG', bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a), 'png'],
    ['PDF', Buffer.from('%PDF-1.7\n'), 'pdf'],
    ['JPEG', bytes(0xff, 0xd8, 0xff, 0xe0), 'jpeg'],
    ['GIF', Buffer.from('GIF89a'), 'gif'],
    ['gzip', bytes(0x1f, 0x8b, 0x08, 0x00), 'gzip'],
    ['7z', bytes(0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c), '7z'],
    ['RAR', bytes(0x52, 0x61, 0x72, 0x21, 0x1a, 0x07, 0x00), 'rar'],
    ['ELF', bytes(0x7f, 0x45, 0x4c, 0x46, 0x02), 'elf'],
    ['Windows executable', bytes(0x4d, 0x5a, 0x90, 0x00, 0x03), 'exe'],
    ['SQLite', Buffer.from('SQLite format 3\0'), 'sqlite'],
    ['WebP', Buffer.concat([Buffer.from('RIFF'), bytes(1, 2, 3, 4), Buffer.from('WEBP')]), 'webp'],
  ])('refuses %s with 415', (_name, head, detected) => {
    expect(() => sniffSpreadsheet(pad(head), 'x.csv')).toThrow(expect.objectContaining({ code: 'unsupported_media_type', httpStatus: 415 }));
    try {
      sniffSpreadsheet(pad(head), 'x.csv');
    } catch (err) {
      expect((err as { details: { detected: string } }).details.detected).toBe(detected);
    }
  });

  it('refuses binary content without a known signature', () => {
    const noise = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37) % 256));
    expect(() => sniffSpreadsheet(noise, 'data.csv')).toThrow(expect.objectContaining({ code: 'unsupported_media_type' }));
  });
});

describe('looksBinary', () => {
  it('treats a stray NUL in UTF-8 text as binary but not the NULs of UTF-16', () => {
    expect(looksBinary(Buffer.from('a,b\n1,\0\n'))).toBe(true);
    expect(looksBinary(Buffer.from('a,b\n1,2\n', 'utf16le'))).toBe(false);
  });

  it('allows tab, CR, LF and form feed', () => {
    expect(looksBinary(Buffer.from('a\tb\r\n\f1\t2\r\n'))).toBe(false);
  });
});
