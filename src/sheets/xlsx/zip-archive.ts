import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { createInflateRaw, crc32, type ZlibOptions } from 'node:zlib';
import { AppError, ERRORS } from '../../errors/index.js';
import { entryDataOffset, readZipDirectory, type ZipEntry } from './zip-directory.js';

const CHUNK = 256 * 1024;

/** Container limits checked on the central directory and enforced again while inflating. */
export interface ZipLimits {
  /** Most entries in the archive. @defaultValue 10,000 */
  maxEntries: number;
  /** Most uncompressed bytes over all entries. @defaultValue 2 GiB */
  maxTotalBytes: number;
  /** Highest uncompressed:compressed ratio of an entry larger than `ratioMinBytes`. @defaultValue 200 */
  maxRatio: number;
  /** Entries up to this size are not ratio-checked (tiny XML parts compress very well). @defaultValue 1 MiB */
  ratioMinBytes: number;
}

/** Limits used when none are given: 10k entries, 2 GiB in total, 200:1 above 1 MiB. */
export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 10_000,
  maxTotalBytes: 2 * 1024 ** 3,
  maxRatio: 200,
  ratioMinBytes: 1024 ** 2,
};

/**
 * A zip file read through its central directory (so entries written with data descriptors are
 * read correctly), checked against {@link ZipLimits} before any entry is inflated.
 *
 * Entry names are matched case-insensitively, as OPC part names are.
 */
export class ZipArchive {
  private totalInflated = 0;

  private constructor(
    private readonly fh: FileHandle,
    private readonly path: string,
    private readonly size: number,
    private readonly byName: Map<string, ZipEntry>,
    private readonly limits: ZipLimits,
  ) {}

  /**
   * Opens and checks an archive: our own central-directory reader (zip64 aware), entry count,
   * declared sizes against the total and ratio limits, duplicate names.
   *
   * @throws AppError `malformed_file` (not a zip, duplicate entry names), `zip_bomb` (too many
   *   entries, too many bytes, ratio too high).
   */
  static async open(path: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<ZipArchive> {
    const fh = await open(path, 'r');
    try {
      const size = (await fh.stat()).size;
      const entries = await readZipDirectory(fh, size, limits.maxEntries);
      const byName = new Map<string, ZipEntry>();
      let total = 0;
      for (const e of entries) {
        const key = e.name.toLowerCase();
        if (byName.has(key)) throw ERRORS.malformedFile(`The archive holds "${e.name}" twice (duplicate entry names)`, { entry: e.name });
        byName.set(key, e);
        total += e.uncompressedSize;
        checkRatio(e.name, e.uncompressedSize, e.compressedSize, limits);
      }
      if (total > limits.maxTotalBytes) {
        throw ERRORS.zipBomb(`The archive inflates to ${total} bytes (limit ${limits.maxTotalBytes})`);
      }
      return new ZipArchive(fh, path, size, byName, limits);
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  /** Every entry name, as stored. */
  names(): string[] {
    return [...this.byName.values()].map((e) => e.name);
  }

  has(name: string): boolean {
    return this.byName.has(name.toLowerCase());
  }

  /** Uncompressed size of an entry as its directory declares it (0 when absent). */
  entrySize(name: string): number {
    return this.byName.get(name.toLowerCase())?.uncompressedSize ?? 0;
  }

  /**
   * The inflated bytes of an entry as a stream of chunks (256 KiB reads, zlib inflate stream),
   * counted as they come: more bytes than the directory declared, a ratio over the limit or the
   * archive total over the limit abort with `zip_bomb`; fewer bytes or a CRC mismatch with
   * `malformed_file`.
   */
  async *read(name: string, signal?: AbortSignal): AsyncGenerator<Buffer> {
    const entry = this.byName.get(name.toLowerCase());
    if (!entry) throw ERRORS.malformedFile(`The workbook part "${name}" is missing`);
    if (entry.flags & 1) throw ERRORS.passwordProtected('The archive is encrypted');
    if (entry.method !== 0 && entry.method !== 8) {
      throw ERRORS.malformedFile(`"${name}" uses zip compression method ${entry.method}; only stored and deflate are supported`);
    }
    const start = await entryDataOffset(this.fh, entry, this.size);
    const { limits } = this;
    let count = 0;
    let crc = 0;
    const raw = entry.compressedSize === 0 ? null : createReadStream(this.path, { start, end: start + entry.compressedSize - 1, highWaterMark: CHUNK });
    const inflate = entry.method === 8 ? createInflateRaw({ chunkSize: CHUNK, readableHighWaterMark: 4 * CHUNK } as ZlibOptions) : null;
    const source = (raw === null ? [] : inflate ? raw.pipe(inflate) : raw) as AsyncIterable<Buffer>;
    raw?.on('error', (err) => inflate?.destroy(err));
    try {
      for await (const chunk of source) {
        signal?.throwIfAborted();
        count += chunk.length;
        this.totalInflated += chunk.length;
        if (count > entry.uncompressedSize) {
          throw ERRORS.zipBomb(`"${name}" inflates beyond its declared ${entry.uncompressedSize} bytes`, { entry: name });
        }
        checkRatio(name, count, entry.compressedSize, limits);
        if (this.totalInflated > limits.maxTotalBytes) {
          throw ERRORS.zipBomb(`The archive inflates beyond ${limits.maxTotalBytes} bytes`);
        }
        crc = crc32(chunk, crc);
        yield chunk;
      }
      if (count !== entry.uncompressedSize) throw ERRORS.malformedFile(`"${name}" is truncated (${count} of ${entry.uncompressedSize} bytes)`, { entry: name });
      if (crc >>> 0 !== entry.crc >>> 0) throw ERRORS.malformedFile(`"${name}" fails its CRC check`, { entry: name });
    } catch (err) {
      if (err instanceof AppError || signal?.aborted) throw err;
      throw ERRORS.malformedFile(`Cannot inflate "${name}": ${(err as Error).message}`);
    } finally {
      inflate?.destroy();
      raw?.destroy();
    }
  }

  /** Reads a whole (small) entry as a buffer. */
  async readBuffer(name: string, signal?: AbortSignal): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const c of this.read(name, signal)) parts.push(c);
    return Buffer.concat(parts);
  }

  close(): void {
    void this.fh.close().catch(() => undefined);
  }
}

function checkRatio(name: string, size: number, compressed: number, limits: ZipLimits): void {
  if (size > limits.ratioMinBytes && size / Math.max(compressed, 1) > limits.maxRatio) {
    throw ERRORS.zipBomb(`"${name}" compresses more than ${limits.maxRatio}:1, a zip bomb`, { entry: name });
  }
}
