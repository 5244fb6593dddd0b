import { describe, expect, it } from 'vitest';
import { classifyFile, pageUploadLimit } from '../src/lib/file-check.js';

const ZIP = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14]);
const CFB = new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
const TEXT = new TextEncoder().encode('id,name\n1,a\n');

describe('classifyFile', () => {
  it.each([
    ['a.xlsx', 10, ZIP, undefined, null],
    ['a.csv', 10, TEXT, undefined, null],
    ['a.xls', 10, CFB, undefined, null],
    ['a.xlsx', 10, CFB, undefined, 'passwordProtected'],
    ['a.xlsm', 10, CFB, undefined, 'passwordProtected'],
    ['a.xlsx', 10, TEXT, undefined, 'unsupported'],
    ['a.pdf', 10, TEXT, undefined, 'unsupported'],
    ['a.csv', 0, TEXT, undefined, 'empty'],
    ['a.csv', 2000, TEXT, 1000, 'tooLarge'],
  ] as const)('%s of %i bytes (limit %s) → %s', (name, size, head, limit, expected) => {
    expect(classifyFile(name, size, head, limit)).toBe(expected);
  });
});

describe('pageUploadLimit', () => {
  it('reads the limit the API wrote into the page, and ignores an unfilled one', () => {
    document.head.innerHTML = '<meta name="sheetdiff-max-upload-bytes" content="2048">';
    expect(pageUploadLimit()).toBe(2048);
    document.head.innerHTML = '<meta name="sheetdiff-max-upload-bytes" content="">';
    expect(pageUploadLimit()).toBeUndefined();
  });
});
