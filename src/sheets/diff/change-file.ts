import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChangeList, RowChange } from '../../domain/diff-result.js';
import { compareChanges, type ChangeSpill, type ChangeSpillPlan } from '../../domain/keyed/diff-accumulator.js';
import { changeBound, decodeChange, encodeChange, FRAME_HEAD, frameAnchor, frameLength } from './change-codec.js';
import { mergeRuns } from './merge-runs.js';

const WRITE_BUF = 1 << 20;
/** Read buffers of all runs together, at most (each between the two bounds below). */
const READ_TOTAL = 16 << 20;
const READ_MIN = 16 << 10;
const READ_MAX = 256 << 10;

/** A change as the merge sees it: its anchor and whether it has a new-file row. */
interface Entry {
  anchor: number;
  change: RowChange;
}

const byAnchor = (a: Entry, b: Entry): number => compareChanges(a.anchor, a.change, b.anchor, b.change);

/** One run's changes, read back from `fd` between `start` and `end` through a buffer of `size`. */
function* readRun(fd: number, start: number, end: number, size: number): Generator<Entry, void, undefined> {
  let buf = Buffer.allocUnsafe(size);
  let s = 0;
  let e = 0;
  let pos = start;
  // makes `n` bytes from buf[s] available
  const ensure = (n: number): void => {
    if (e - s >= n) return;
    if (n > buf.length) {
      const big = Buffer.allocUnsafe(n);
      buf.copy(big, 0, s, e);
      buf = big;
    } else if (s > 0) buf.copy(buf, 0, s, e);
    e -= s;
    s = 0;
    while (e < n) {
      const want = Math.min(buf.length - e, end - pos);
      const got = want > 0 ? readSync(fd, buf, e, want, pos) : 0;
      if (got === 0) throw new Error(`change file: a run ends inside a frame (byte ${pos})`);
      e += got;
      pos += got;
    }
  };
  while (pos < end || s < e) {
    ensure(FRAME_HEAD);
    const len = frameLength(buf, s);
    ensure(len);
    const entry = { anchor: frameAnchor(buf, s), change: decodeChange(buf, s) };
    s += len;
    if (buf.length > size && e === s) {
      // a long frame grew the buffer: go back to the run's size
      buf = Buffer.allocUnsafe(size);
      s = e = 0;
    }
    yield entry;
  }
}

/**
 * Changes written to one temporary file, a run after another (one run per partition of the
 * diff, each in anchor order), as framed records (see change-codec.ts); read back as a
 * ChangeList that merges the runs by anchor with one buffered reader per run. The file lives in
 * a fresh `sd-changes-*` directory under the diff's scratch directory; {@link discard} and the
 * list's `close` remove it. Writes are synchronous through a 1 MiB buffer, like the partition
 * files'.
 */
export class ChangeFile implements ChangeSpill {
  private readonly dir: string;
  private readonly path: string;
  private fd: number | undefined;
  private buf = Buffer.allocUnsafe(WRITE_BUF);
  private used = 0;
  /** bytes flushed to the file */
  private flushed = 0;
  private runStart = 0;
  private readonly runs: [number, number][] = [];
  private count = 0;

  constructor(tmpDir: string) {
    this.dir = mkdtempSync(join(tmpDir, 'sd-changes-'));
    this.path = join(this.dir, 'changes.bin');
    try {
      this.fd = openSync(this.path, 'w');
    } catch (err) {
      rmSync(this.dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** A spill plan for DiffAccumulator: past `budgetBytes` of held changes, a ChangeFile in `tmpDir`. */
  static plan(budgetBytes: number, tmpDir: string): ChangeSpillPlan {
    return { budgetBytes, open: () => new ChangeFile(tmpDir) };
  }

  write(change: RowChange, anchor: number): void {
    const bound = changeBound(change);
    if (this.used + bound > this.buf.length) this.flush();
    if (bound > this.buf.length) {
      const big = Buffer.allocUnsafe(bound);
      const n = encodeChange(change, anchor, big, 0);
      this.writeOut(big, n);
    } else this.used = encodeChange(change, anchor, this.buf, this.used);
    this.count++;
  }

  endRun(): void {
    const at = this.flushed + this.used;
    this.runs.push([this.runStart, at]);
    this.runStart = at;
  }

  finish(): ChangeList {
    this.flush();
    if (this.flushed > this.runStart) this.endRun();
    closeSync(this.fd!);
    this.fd = undefined;
    this.buf = Buffer.alloc(0);
    const runs = this.runs.filter(([s, e]) => e > s);
    const { path, dir, count } = this;
    const size = Math.max(READ_MIN, Math.min(READ_MAX, Math.floor(READ_TOTAL / Math.max(1, runs.length))));
    let closed = false;
    function* read(): Generator<RowChange, void, undefined> {
      if (closed) throw new Error('the change list was closed');
      const fd = openSync(path, 'r');
      try {
        for (const e of mergeRuns(
          runs.map(([s, end]) => readRun(fd, s, end, size)),
          byAnchor,
        )) {
          yield e.change;
        }
      } finally {
        closeSync(fd);
      }
    }
    return {
      length: count,
      onDisk: true,
      [Symbol.iterator]: read,
      close: async () => {
        closed = true;
        await rm(dir, { recursive: true, force: true });
      },
    };
  }

  discard(): void {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private flush(): void {
    if (this.used > 0) this.writeOut(this.buf, this.used);
    this.used = 0;
  }

  private writeOut(buf: Buffer, n: number): void {
    for (let off = 0; off < n; ) off += writeSync(this.fd!, buf, off, n - off);
    this.flushed += n;
  }
}
