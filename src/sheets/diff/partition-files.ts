import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { hashBytes } from '../../domain/keyed/key-index.js';
import { copyBytes } from '../../domain/keyed/record-store.js';

const BUF = 256 * 1024;
const FRAME = 16; // u32 key length, u32 row length, f64 row number

/** Partition of a key: high bits of a second mix of its hash (the index uses the low bits). */
export function partitionOf(key: Uint8Array, ks: number, ke: number, parts: number): number {
  return ((Math.imul(hashBytes(key, ks, ke), 0x9e3779b1) >>> 0) % parts) | 0;
}

/**
 * Rows of one file spread over `parts` temporary files by key hash, so that a key's rows on
 * both sides land in partitions of the same number. Frames: key length, row length, row
 * number, key bytes, row bytes. Writes are synchronous and buffered (256 KiB per partition).
 */
export class PartitionFiles {
  private readonly fds: number[] = [];
  private readonly bufs: Buffer[] = [];
  private readonly used: number[] = [];
  private readonly paths: string[] = [];

  constructor(dir: string, name: string, readonly parts: number) {
    for (let p = 0; p < parts; p++) {
      const path = join(dir, `${name}-${p}.part`);
      this.paths.push(path);
      this.fds.push(openSync(path, 'w'));
      this.bufs.push(Buffer.allocUnsafe(BUF));
      this.used.push(0);
    }
  }

  /** Appends a row to the partition of its key. */
  write(key: Uint8Array, ks: number, ke: number, row: Uint8Array, rs: number, re: number, rowNumber: number): void {
    const p = partitionOf(key, ks, ke, this.parts);
    const need = FRAME + (ke - ks) + (re - rs);
    if (this.used[p]! + need > BUF) this.flush(p);
    let buf = this.bufs[p]!;
    let at = this.used[p]!;
    if (need > BUF) {
      buf = Buffer.allocUnsafe(need);
      at = 0;
    }
    buf.writeUInt32LE(ke - ks, at);
    buf.writeUInt32LE(re - rs, at + 4);
    buf.writeDoubleLE(rowNumber, at + 8);
    copyBytes(key, ks, ke, buf, at + FRAME);
    copyBytes(row, rs, re, buf, at + FRAME + (ke - ks));
    if (need > BUF) writeSync(this.fds[p]!, buf);
    else this.used[p] = at + need;
  }

  private flush(p: number): void {
    if (this.used[p]! > 0) writeSync(this.fds[p]!, this.bufs[p]!, 0, this.used[p]!);
    this.used[p] = 0;
  }

  /** Flushes and closes every partition file. */
  close(): void {
    for (let p = 0; p < this.parts; p++) {
      this.flush(p);
      closeSync(this.fds[p]!);
    }
    this.bufs.length = 0;
  }

  /** Reads partition `p` back, row by row, then deletes its file. */
  read(p: number, fn: (buf: Buffer, ks: number, ke: number, rs: number, re: number, rowNumber: number) => void): void {
    const buf = readFileSync(this.paths[p]!);
    for (let at = 0; at < buf.length; ) {
      const kl = buf.readUInt32LE(at);
      const rl = buf.readUInt32LE(at + 4);
      const n = buf.readDoubleLE(at + 8);
      const ks = at + FRAME;
      fn(buf, ks, ks + kl, ks + kl, ks + kl + rl, n);
      at = ks + kl + rl;
    }
    rmSync(this.paths[p]!, { force: true });
  }
}
