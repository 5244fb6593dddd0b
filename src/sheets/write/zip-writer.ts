import type { Writable } from 'node:stream';
import zlib from 'node:zlib';
import { AppError } from '../../errors/index.js';
import { crc32 } from './crc32.js';
import { waitDrain, ZipEntryStream, type EntryRecord, type EntryTuning } from './zip-entry.js';

export { ZipEntryStream } from './zip-entry.js';

const FLAG_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;
const METHOD_DEFLATE = 8;
const MAX_32 = 0xffffffff;

/** DOS date and time of `d` (local fields, as zip tools show them). */
function dosDateTime(d: Date): { time: number; date: number } {
  const year = Math.max(1980, d.getFullYear());
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1),
    date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

/** Options of {@link ZipWriter}. */
export interface ZipWriterOptions {
  /** Deflate level of streamed entries. @defaultValue 1 (XML compresses ~8:1 even at 1) */
  level?: number;
  /** Entry time stamp. @defaultValue now */
  mtime?: Date;
  /** @internal chunking of streamed entries (tests) */
  tuning?: EntryTuning;
}

/**
 * Writes a zip archive to a Writable as it goes, never holding more than one chunk of an entry.
 *
 * Small parts (`addBuffer`) are deflated at once and get their sizes in the local header.
 * Streamed parts (`openEntry`) carry a data descriptor (flag bit 3) after the data; readers that
 * follow the central directory (Excel, LibreOffice, ours) take sizes from there. Streamed
 * entries are deflated on the libuv thread pool (see ZipEntryStream) while the caller's thread
 * formats the next chunk.
 *
 * No ZIP64: an archive or entry past 4 GiB fails with `output_too_large` instead of writing a
 * corrupt file.
 */
export class ZipWriter {
  private readonly entries: EntryRecord[] = [];
  private offset = 0;
  private readonly level: number;
  private readonly stamp: { time: number; date: number };
  private readonly tuning: EntryTuning | undefined;
  private busy = false;

  constructor(
    private readonly out: Writable,
    opts: ZipWriterOptions = {},
  ) {
    this.level = opts.level ?? 1;
    this.stamp = dosDateTime(opts.mtime ?? new Date());
    this.tuning = opts.tuning;
  }

  /** Bytes written so far. */
  get bytesWritten(): number {
    return this.offset;
  }

  private async emit(buf: Buffer): Promise<void> {
    this.offset += buf.length;
    if (!this.out.write(buf)) await this.drain();
  }

  private async drain(): Promise<void> {
    if (this.out.destroyed) throw this.out.errored ?? new Error('output stream was destroyed');
    await waitDrain(this.out);
  }

  private localHeader(e: EntryRecord): Buffer {
    const h = Buffer.alloc(30 + e.name.length);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4);
    h.writeUInt16LE(e.flags, 6);
    h.writeUInt16LE(METHOD_DEFLATE, 8);
    h.writeUInt16LE(this.stamp.time, 10);
    h.writeUInt16LE(this.stamp.date, 12);
    h.writeUInt32LE(e.crc, 14);
    h.writeUInt32LE(e.compressed, 18);
    h.writeUInt32LE(e.size, 22);
    h.writeUInt16LE(e.name.length, 26);
    e.name.copy(h, 30);
    return h;
  }

  private checkSize(n: number, what: string): void {
    if (n > MAX_32) throw new AppError('output_too_large', 422, `${what} is larger than 4 GiB, which this writer does not support (no ZIP64)`);
  }

  /** Adds a whole part (deflated at level 6, sizes in the local header). */
  async addBuffer(name: string, data: Buffer | string): Promise<void> {
    if (this.busy) throw new Error('a streamed zip entry is still open');
    const raw = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const packed = zlib.deflateRawSync(raw, { level: 6 });
    const e: EntryRecord = { name: Buffer.from(name, 'utf8'), flags: FLAG_UTF8, crc: crc32(raw, 0), compressed: packed.length, size: raw.length, offset: this.offset };
    this.checkSize(this.offset, 'the archive');
    this.entries.push(e);
    await this.emit(this.localHeader(e));
    await this.emit(packed);
  }

  /** Starts a streamed part; write to it, then `await entry.close()` before the next part. */
  async openEntry(name: string): Promise<ZipEntryStream> {
    if (this.busy) throw new Error('a streamed zip entry is still open');
    this.checkSize(this.offset, 'the archive');
    const e: EntryRecord = { name: Buffer.from(name, 'utf8'), flags: FLAG_UTF8 | FLAG_DESCRIPTOR, crc: 0, compressed: 0, size: 0, offset: this.offset };
    this.entries.push(e);
    this.busy = true;
    await this.emit(this.localHeader(e));
    return new ZipEntryStream(this.out, e, this.level, async (total) => {
      this.offset += total;
      const d = Buffer.alloc(16);
      d.writeUInt32LE(0x08074b50, 0);
      d.writeUInt32LE(e.crc, 4);
      d.writeUInt32LE(e.compressed, 8);
      d.writeUInt32LE(e.size, 12);
      this.busy = false;
      await this.emit(d);
    }, (n, what) => this.checkSize(n, what), this.tuning);
  }

  /** Writes the central directory; the caller then ends the output stream. */
  async finish(): Promise<void> {
    if (this.busy) throw new Error('a streamed zip entry is still open');
    const start = this.offset;
    this.checkSize(start, 'the archive');
    const parts: Buffer[] = [];
    for (const e of this.entries) {
      const c = Buffer.alloc(46 + e.name.length);
      c.writeUInt32LE(0x02014b50, 0);
      c.writeUInt16LE(20, 4);
      c.writeUInt16LE(20, 6);
      c.writeUInt16LE(e.flags, 8);
      c.writeUInt16LE(METHOD_DEFLATE, 10);
      c.writeUInt16LE(this.stamp.time, 12);
      c.writeUInt16LE(this.stamp.date, 14);
      c.writeUInt32LE(e.crc, 16);
      c.writeUInt32LE(e.compressed, 20);
      c.writeUInt32LE(e.size, 24);
      c.writeUInt16LE(e.name.length, 28);
      c.writeUInt32LE(e.offset, 42);
      e.name.copy(c, 46);
      parts.push(c);
    }
    const dir = Buffer.concat(parts);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(this.entries.length, 8);
    end.writeUInt16LE(this.entries.length, 10);
    end.writeUInt32LE(dir.length, 12);
    end.writeUInt32LE(start, 16);
    await this.emit(dir);
    await this.emit(end);
  }
}
