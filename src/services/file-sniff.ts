/**
 * Decides from an upload's first bytes (and its name) which spreadsheet format it is, or rejects
 * it with 415 before it reaches storage.
 *
 * The content decides, not the name or the client's Content-Type: a PNG named `.csv` is refused,
 * a CSV named `.xls` (common in exports from older systems) is read as CSV.
 */
import { ERRORS } from '../errors/index.js';

export type SpreadsheetFormat = 'xlsx' | 'xlsm' | 'xls' | 'csv';

/** How many leading bytes the sniffer wants (it decides on fewer at end of file). */
export const SNIFF_BYTES = 8192;

const ZIP = [0x50, 0x4b, 0x03, 0x04];
const CFB = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

const ascii = (text: string): number[] => [...Buffer.from(text, 'latin1')];

/**
 * Signatures of common non-spreadsheet binaries: a name and the [offset, bytes] parts that must
 * all match. Signatures that are printable text (`MZ`, `RIFF`) carry a second part so a CSV that
 * merely starts with those letters is not refused.
 */
const BINARY_SIGNATURES: [string, [number, number[]][]][] = [
  ['pdf', [[0, ascii('%PDF-')]]],
  ['png', [[0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]]]],
  ['jpeg', [[0, [0xff, 0xd8, 0xff]]]],
  ['gif', [[0, ascii('GIF87a')]]],
  ['gif', [[0, ascii('GIF89a')]]],
  ['gzip', [[0, [0x1f, 0x8b, 0x08]]]],
  ['7z', [[0, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]]]],
  ['rar', [[0, [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07]]]],
  ['xz', [[0, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]]]],
  ['zstd', [[0, [0x28, 0xb5, 0x2f, 0xfd]]]],
  ['bzip2', [[0, ascii('BZh')], [4, [0x31, 0x41, 0x59, 0x26, 0x53, 0x59]]]],
  ['elf', [[0, [0x7f, 0x45, 0x4c, 0x46]]]],
  ['exe', [[0, [0x4d, 0x5a, 0x90, 0x00]]]],
  ['exe', [[0, [0x4d, 0x5a, 0x50, 0x00]]]],
  ['mach-o', [[0, [0xcf, 0xfa, 0xed, 0xfe]]]],
  ['mach-o', [[0, [0xce, 0xfa, 0xed, 0xfe]]]],
  ['java-class', [[0, [0xca, 0xfe, 0xba, 0xbe]]]],
  ['wasm', [[0, [0x00, 0x61, 0x73, 0x6d]]]],
  ['sqlite', [[0, ascii('SQLite format 3\0')]]],
  ['tiff', [[0, [0x49, 0x49, 0x2a, 0x00]]]],
  ['tiff', [[0, [0x4d, 0x4d, 0x00, 0x2a]]]],
  ['webp', [[0, ascii('RIFF')], [8, ascii('WEBP')]]],
  ['wav', [[0, ascii('RIFF')], [8, ascii('WAVE')]]],
  ['avi', [[0, ascii('RIFF')], [8, ascii('AVI ')]]],
  ['ogg', [[0, [0x4f, 0x67, 0x67, 0x53, 0x00]]]],
  ['mp4', [[4, ascii('ftyp')]]],
  ['mp3', [[0, ascii('ID3')], [3, [0x03]]]],
  ['mp3', [[0, ascii('ID3')], [3, [0x04]]]],
  ['ico', [[0, [0x00, 0x00, 0x01, 0x00]]]],
  ['pcap', [[0, [0xd4, 0xc3, 0xb2, 0xa1]]]],
];

function startsWith(buf: Uint8Array, sig: number[], offset = 0): boolean {
  if (buf.length < offset + sig.length) return false;
  return sig.every((b, i) => buf[offset + i] === b);
}

function extensionOf(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot > 0 ? fileName.slice(dot + 1).toLowerCase() : '';
}

/** True for UTF-16 text: a BOM, or NULs in (mostly) every other byte. */
function looksUtf16(head: Uint8Array): boolean {
  if (startsWith(head, [0xff, 0xfe]) || startsWith(head, [0xfe, 0xff])) return true;
  const n = Math.min(head.length, SNIFF_BYTES) & ~1;
  if (n < 4) return false;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < n; i += 2) {
    if (head[i] === 0) evenNul++;
    if (head[i + 1] === 0) oddNul++;
  }
  const pairs = n / 2;
  return Math.max(evenNul, oddNul) / pairs > 0.3 && Math.min(evenNul, oddNul) / pairs < 0.05;
}

/**
 * True when the bytes look like a binary file rather than text: more than 5% control bytes
 * (other than tab, CR, LF, form feed and ESC), or any NUL outside UTF-16 text.
 */
export function looksBinary(head: Uint8Array): boolean {
  const n = Math.min(head.length, SNIFF_BYTES);
  if (n === 0) return false;
  const utf16 = looksUtf16(head);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = head[i]!;
    if (b === 0) {
      if (!utf16) return true;
      continue;
    }
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1b) || b === 0x7f) control++;
  }
  return control / n > 0.05;
}

/**
 * The spreadsheet format of an upload, from up to `SNIFF_BYTES` leading bytes and its name.
 *
 * zip → xlsx (xlsm when named so; the worker reports a zip that is not a workbook); CFB → xls
 * (an encrypted OOXML file is CFB too, and the worker reports it as password protected); known
 * binary signatures and binary-looking content → 415; anything else is text, read as CSV.
 */
export function sniffSpreadsheet(head: Uint8Array, fileName: string): SpreadsheetFormat {
  if (startsWith(head, ZIP)) return extensionOf(fileName) === 'xlsm' ? 'xlsm' : 'xlsx';
  if (startsWith(head, CFB)) return 'xls';
  const known = BINARY_SIGNATURES.find(([, parts]) => parts.every(([offset, sig]) => startsWith(head, sig, offset)));
  if (known) {
    throw ERRORS.unsupportedMedia(`${fileName || 'the file'} is a ${known[0]} file, not a spreadsheet`, {
      detected: known[0],
      accepted: ['xlsx', 'xlsm', 'xls', 'csv', 'tsv'],
    });
  }
  if (looksBinary(head)) {
    throw ERRORS.unsupportedMedia(`${fileName || 'the file'} is not a spreadsheet (binary content)`, {
      detected: 'binary',
      accepted: ['xlsx', 'xlsm', 'xls', 'csv', 'tsv'],
    });
  }
  return 'csv';
}
