import type { FileHandle } from 'node:fs/promises';
import { ERRORS } from '../../errors/index.js';

/** One entry of a zip's central directory. */
export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflate. */
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const EOCD64_LOCATOR = 0x07064b50;
const EOCD64 = 0x06064b50;
const CENTRAL = 0x02014b50;
const MAX_COMMENT = 0xffff;
// A central directory bigger than this is not a workbook's.
const MAX_DIRECTORY = 64 << 20;

const bad = (why: string) => ERRORS.malformedFile(`Not a readable zip archive: ${why}`);

async function readAt(fh: FileHandle, pos: number, len: number): Promise<Buffer> {
  const buf = Buffer.alloc(len);
  const { bytesRead } = await fh.read(buf, 0, len, pos);
  if (bytesRead !== len) throw bad('truncated');
  return buf;
}

function u64(buf: Buffer, at: number): number {
  const v = buf.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw bad('a 64-bit size is out of range');
  return Number(v);
}

/**
 * Reads a zip's central directory (the authority for names, sizes and offsets, so entries
 * written with data descriptors are read right), zip64 included. The entry count is checked
 * against `maxEntries` before the directory itself is read.
 *
 * @throws AppError `malformed_file` (no directory, truncated, out-of-range offsets),
 *   `zip_bomb` (more entries than `maxEntries`).
 */
export async function readZipDirectory(fh: FileHandle, size: number, maxEntries: number): Promise<ZipEntry[]> {
  const tailLen = Math.min(size, 22 + MAX_COMMENT);
  if (tailLen < 22) throw bad('too short');
  const tail = await readAt(fh, size - tailLen, tailLen);
  let at = -1;
  for (let i = tailLen - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD && i + 22 + tail.readUInt16LE(i + 20) <= tailLen) {
      at = i;
      break;
    }
  }
  if (at < 0) throw bad('no end of central directory record');
  let count = tail.readUInt16LE(at + 10);
  let dirSize = tail.readUInt32LE(at + 12);
  let dirOffset = tail.readUInt32LE(at + 16);
  const eocdPos = size - tailLen + at;
  if ((count === 0xffff || dirSize === 0xffffffff || dirOffset === 0xffffffff) && eocdPos >= 20) {
    const loc = await readAt(fh, eocdPos - 20, 20);
    if (loc.readUInt32LE(0) === EOCD64_LOCATOR) {
      const recPos = u64(loc, 8);
      if (recPos + 56 > size) throw bad('zip64 record out of range');
      const rec = await readAt(fh, recPos, 56);
      if (rec.readUInt32LE(0) !== EOCD64) throw bad('broken zip64 record');
      count = u64(rec, 32);
      dirSize = u64(rec, 40);
      dirOffset = u64(rec, 48);
    }
  }
  if (count > maxEntries) throw ERRORS.zipBomb(`The archive has ${count} entries (limit ${maxEntries})`);
  if (dirOffset + dirSize > size || dirSize > MAX_DIRECTORY) throw bad('central directory out of range');
  const dir = await readAt(fh, dirOffset, dirSize);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > dir.length || dir.readUInt32LE(p) !== CENTRAL) throw bad('broken central directory');
    const flags = dir.readUInt16LE(p + 8);
    const nameLen = dir.readUInt16LE(p + 28);
    const extraLen = dir.readUInt16LE(p + 30);
    const commentLen = dir.readUInt16LE(p + 32);
    if (p + 46 + nameLen + extraLen + commentLen > dir.length) throw bad('broken central directory');
    const e: ZipEntry = {
      // some writers use Windows separators; part names use '/'
      name: dir.toString(flags & 0x800 ? 'utf8' : 'latin1', p + 46, p + 46 + nameLen).replaceAll('\\', '/'),
      method: dir.readUInt16LE(p + 10),
      flags,
      crc: dir.readUInt32LE(p + 16),
      compressedSize: dir.readUInt32LE(p + 20),
      uncompressedSize: dir.readUInt32LE(p + 24),
      localHeaderOffset: dir.readUInt32LE(p + 42),
    };
    readZip64Extra(dir, p + 46 + nameLen, extraLen, e);
    if (e.localHeaderOffset + 30 + e.compressedSize > size) throw bad(`entry "${e.name}" lies outside the file`);
    entries.push(e);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

// Sizes and offset of a zip64 entry live in extra field 0x0001, in this order, only for the
// fields whose 32-bit value is 0xFFFFFFFF.
function readZip64Extra(dir: Buffer, start: number, len: number, e: ZipEntry): void {
  for (let q = start; q + 4 <= start + len; ) {
    const id = dir.readUInt16LE(q);
    const size = dir.readUInt16LE(q + 2);
    if (id === 0x0001) {
      let r = q + 4;
      const end = r + size;
      if (e.uncompressedSize === 0xffffffff && r + 8 <= end) {
        e.uncompressedSize = u64(dir, r);
        r += 8;
      }
      if (e.compressedSize === 0xffffffff && r + 8 <= end) {
        e.compressedSize = u64(dir, r);
        r += 8;
      }
      if (e.localHeaderOffset === 0xffffffff && r + 8 <= end) e.localHeaderOffset = u64(dir, r);
      return;
    }
    q += 4 + size;
  }
}

/** Offset of an entry's data: after its local header, whose name and extra lengths may differ. */
export async function entryDataOffset(fh: FileHandle, e: ZipEntry, size: number): Promise<number> {
  const h = await readAt(fh, e.localHeaderOffset, 30);
  if (h.readUInt32LE(0) !== 0x04034b50) throw bad(`no local header for "${e.name}"`);
  const start = e.localHeaderOffset + 30 + h.readUInt16LE(26) + h.readUInt16LE(28);
  if (start + e.compressedSize > size) throw bad(`entry "${e.name}" lies outside the file`);
  return start;
}
