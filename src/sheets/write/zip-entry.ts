import type { Writable } from 'node:stream';
import zlib from 'node:zlib';
import { crc32 } from './crc32.js';
import { Utf8Chunks } from './utf8-chunks.js';

const MAX_32 = 0xffffffff;

/** Sizes and checksum of a zip entry, filled in as it is written. */
export interface EntryRecord {
  name: Buffer;
  flags: number;
  crc: number;
  compressed: number;
  size: number;
  offset: number;
}

/** Options of a streamed entry (internal: tests use small values to exercise the edges). */
export interface EntryTuning {
  /** Uncompressed bytes per chunk handed to deflate. @defaultValue 128 KiB */
  chunkBytes?: number;
  /** Chunks handed to deflate and not yet consumed before `write` asks the caller to wait. @defaultValue 2 */
  maxInFlight?: number;
}

/**
 * One streamed zip entry: text in, deflated bytes out to the archive's stream.
 *
 * Text is encoded to UTF-8 in ~128 KiB chunks (see Utf8Chunks) and fed to one raw-deflate
 * stream, which compresses on the libuv thread pool: while a pool thread deflates one chunk the
 * caller's thread formats the next, so compression costs the caller almost nothing (level 1
 * deflate of sheet XML runs at ~250 MB/s; formatting it takes longer). One stream for the whole
 * entry keeps the dictionary across chunks (smaller output than independent chunks).
 *
 * Backpressure all the way: when the archive's stream is full the deflate output is paused; the
 * deflate input then stops draining, and once `maxInFlight` chunks wait `write` returns a promise.
 * `write` returns null otherwise, so a tight row loop pays no microtask per row:
 * `const p = e.write(s); if (p) await p;`. Input chunks are reused once deflate has consumed them.
 * CRC-32 is computed on the caller's thread (native zlib.crc32 where available).
 */
export class ZipEntryStream {
  private readonly text: Utf8Chunks;
  private readonly deflate: zlib.DeflateRaw;
  private readonly maxInFlight: number;
  private inFlight = 0;
  private wake: (() => void) | undefined;
  private failure: Error | undefined;
  private readonly ended: Promise<void>;
  private outWait: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly out: Writable,
    private readonly entry: EntryRecord,
    level: number,
    private readonly onClose: (compressed: number) => Promise<void>,
    private readonly checkSize: (n: number, what: string) => void,
    tuning: EntryTuning = {},
  ) {
    this.text = new Utf8Chunks(tuning.chunkBytes);
    this.maxInFlight = tuning.maxInFlight ?? 2;
    this.deflate = zlib.createDeflateRaw({ level, chunkSize: 64 * 1024 });
    this.deflate.on('data', (chunk: Buffer) => this.forward(chunk));
    this.ended = new Promise<void>((resolve, reject) => {
      this.deflate.once('end', resolve);
      this.deflate.once('error', reject);
    });
    this.ended.catch((err: Error) => this.fail(err));
  }

  /** Appends text (UTF-8); see the class note on the returned promise. */
  write(s: string): Promise<void> | null {
    if (this.failure) return Promise.reject(this.failure);
    const chunk = this.text.add(s);
    return chunk ? this.push(chunk) : null;
  }

  private push(buf: Buffer): Promise<void> | null {
    const e = this.entry;
    e.crc = crc32(buf, e.crc);
    e.size += buf.length;
    if (e.size > MAX_32) {
      try {
        this.checkSize(e.size, `zip entry ${e.name.toString()}`);
      } catch (err) {
        this.fail(err as Error);
        return Promise.reject(err);
      }
    }
    this.inFlight++;
    this.deflate.write(buf, () => {
      this.inFlight--;
      this.text.recycle(buf);
      this.wake?.();
    });
    return this.inFlight >= this.maxInFlight ? this.waitRoom() : null;
  }

  private waitRoom(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (this.failure) {
          this.wake = undefined;
          reject(this.failure);
        } else if (this.inFlight < this.maxInFlight) {
          this.wake = undefined;
          resolve();
        }
      };
      this.wake = check;
      check();
    });
  }

  /** Deflate output → the archive, pausing deflate while the archive's stream is full. */
  private forward(chunk: Buffer): void {
    if (this.failure) return;
    this.entry.compressed += chunk.length;
    if (this.out.destroyed) return this.fail(this.out.errored ?? new Error('output stream was destroyed'));
    if (this.out.write(chunk)) return;
    this.deflate.pause();
    this.outWait = waitDrain(this.out).then(
      () => {
        this.outWait = undefined;
        this.deflate.resume();
      },
      (err: Error) => this.fail(err),
    );
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    this.deflate.destroy();
    this.wake?.();
  }

  /** Flushes, waits until everything is compressed and written, then writes the data descriptor. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.failure) throw this.failure;
    const rest = this.text.take();
    if (rest) {
      const p = this.push(rest);
      if (p) await p;
    }
    this.deflate.end();
    const failed = new Promise<never>((_, reject) => {
      const check = (): void => (this.failure ? reject(this.failure) : undefined);
      this.wake = check;
      check();
    });
    failed.catch(() => undefined);
    await Promise.race([this.ended, failed]);
    if (this.outWait) await Promise.race([this.outWait, failed]);
    if (this.failure) throw this.failure;
    this.checkSize(this.entry.compressed, `zip entry ${this.entry.name.toString()}`);
    await this.onClose(this.entry.compressed);
  }
}

/** Resolves on 'drain'; rejects if the stream errors or closes first. */
export function waitDrain(out: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error): void => {
      out.off('drain', onDrain);
      out.off('error', onError);
      out.off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = (): void => done();
    const onError = (err: Error): void => done(err);
    const onClose = (): void => done(new Error('output stream closed before the zip was complete'));
    out.on('drain', onDrain);
    out.on('error', onError);
    out.on('close', onClose);
  });
}
