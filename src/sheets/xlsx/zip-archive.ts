import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { AppError, ERRORS } from '../../errors/index.js';

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

function yauzlOpen(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(
      path,
      // Our own byte counting replaces validateEntrySizes so a lying size is a zip_bomb, not a
      // generic stream error.
      { lazyEntries: true, autoClose: false, decodeStrings: true, validateEntrySizes: false, strictFileNames: false },
      (err, zip) => (err ? reject(err) : resolve(zip)),
    );
  });
}

function readEntries(zip: yauzl.ZipFile, maxEntries: number): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    if (zip.entryCount > maxEntries) {
      reject(ERRORS.zipBomb(`The archive has ${zip.entryCount} entries (limit ${maxEntries})`));
      return;
    }
    const entries: yauzl.Entry[] = [];
    zip.on('entry', (e: yauzl.Entry) => {
      entries.push(e);
      zip.readEntry();
    });
    zip.once('end', () => resolve(entries));
    zip.once('error', reject);
    zip.readEntry();
  });
}

/**
 * A zip file read through its central directory (so entries written with data descriptors are
 * read correctly), checked against {@link ZipLimits} before any entry is inflated.
 *
 * Entry names are matched case-insensitively, as OPC part names are.
 */
export class ZipArchive {
  private totalInflated = 0;

  private constructor(
    private readonly zip: yauzl.ZipFile,
    private readonly byName: Map<string, yauzl.Entry>,
    private readonly limits: ZipLimits,
  ) {}

  /**
   * Opens and checks an archive.
   *
   * @throws AppError `malformed_file` (not a zip), `zip_bomb` (too many entries, too many bytes,
   *   ratio too high); `malformed_file` also for duplicate entry names.
   */
  static async open(path: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<ZipArchive> {
    let zip: yauzl.ZipFile;
    try {
      zip = await yauzlOpen(path);
    } catch (err) {
      throw ERRORS.malformedFile(`Not a readable zip archive: ${(err as Error).message}`);
    }
    try {
      const entries = await readEntries(zip, limits.maxEntries).catch((err: unknown) => {
        throw err instanceof AppError ? err : ERRORS.malformedFile(`Broken zip directory: ${(err as Error).message}`);
      });
      const byName = new Map<string, yauzl.Entry>();
      let total = 0;
      for (const e of entries) {
        const key = e.fileName.toLowerCase();
        if (byName.has(key)) throw ERRORS.malformedFile(`The archive holds "${e.fileName}" twice (duplicate entry names)`, { entry: e.fileName });
        byName.set(key, e);
        total += e.uncompressedSize;
        checkRatio(e.fileName, e.uncompressedSize, e.compressedSize, limits);
      }
      if (total > limits.maxTotalBytes) {
        throw ERRORS.zipBomb(`The archive inflates to ${total} bytes (limit ${limits.maxTotalBytes})`);
      }
      return new ZipArchive(zip, byName, limits);
    } catch (err) {
      zip.close();
      throw err;
    }
  }

  /** Every entry name, as stored. */
  names(): string[] {
    return [...this.byName.values()].map((e) => e.fileName);
  }

  has(name: string): boolean {
    return this.byName.has(name.toLowerCase());
  }

  /**
   * The inflated bytes of an entry as a stream of chunks, counted as they come: more bytes than
   * the directory declared, a ratio over the limit or the archive total over the limit abort
   * with `zip_bomb`.
   */
  async *read(name: string, signal?: AbortSignal): AsyncGenerator<Buffer> {
    const entry = this.byName.get(name.toLowerCase());
    if (!entry) throw ERRORS.malformedFile(`The workbook part "${name}" is missing`);
    if (entry.isEncrypted()) throw ERRORS.passwordProtected('The archive is encrypted');
    let stream: Readable;
    try {
      stream = await this.zip.openReadStreamPromise(entry);
    } catch (err) {
      throw ERRORS.malformedFile(`Cannot read "${name}": ${(err as Error).message}`);
    }
    const { limits } = this;
    let count = 0;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
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
        yield chunk;
      }
    } catch (err) {
      if (err instanceof AppError || signal?.aborted) throw err;
      throw ERRORS.malformedFile(`Cannot inflate "${name}": ${(err as Error).message}`);
    } finally {
      stream.destroy();
    }
  }

  /** Reads a whole (small) entry as a buffer. */
  async readBuffer(name: string, signal?: AbortSignal): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const c of this.read(name, signal)) parts.push(c);
    return Buffer.concat(parts);
  }

  close(): void {
    this.zip.close();
  }
}

function checkRatio(name: string, size: number, compressed: number, limits: ZipLimits): void {
  if (size > limits.ratioMinBytes && size / Math.max(compressed, 1) > limits.maxRatio) {
    throw ERRORS.zipBomb(`"${name}" compresses more than ${limits.maxRatio}:1, a zip bomb`, { entry: name });
  }
}
