/**
 * Returns the memory of dead Buffers to the allocator while files stream through a process.
 *
 * A Buffer's bytes live outside the JS heap and are freed only when a GC finds its small JS
 * object dead. V8 starts GCs by JS-heap allocation, so a process that streams a file (an upload
 * of a rendered export, a download, a batch being stored) allocates megabytes of Buffers and
 * almost no JS objects: no GC runs and the dead Buffers pile up until V8's external-memory
 * trigger, which allows 64 MiB past the last full GC. A Buffer that lived through two young GCs
 * is promoted and waits for the next full GC just the same.
 *
 * Two ways in: `note(bytes)` from a stream we own (every `stepMb` streamed: a young GC, about a
 * millisecond with a small young generation), and a watcher that looks at the process's Buffer
 * total a few times a second and collects (young first, then an incremental full GC if that was
 * not enough) once it has grown by `stepMb`. Both need V8's `gc` function (`node --expose-gc`,
 * also accepted in NODE_OPTIONS); without it they do nothing.
 */

type GcFunction = (options?: { type?: 'minor' | 'major'; execution?: 'sync' | 'async' }) => unknown;

export interface BufferGcOptions {
  /** Buffer memory (MiB) streamed or grown between collections. @defaultValue 4 */
  stepMb?: number;
  /** How often the watcher looks (ms). @defaultValue 100 */
  intervalMs?: number;
  /** Where `gc` comes from (tests pass a fake). @defaultValue globalThis.gc */
  gc?: GcFunction | undefined;
  /** Buffer memory in bytes (tests pass a fake). @defaultValue process.memoryUsage().arrayBuffers */
  bufferBytes?: () => number;
}

/** Collections asked for so far, by kind. */
export interface BufferGcStats {
  minor: number;
  major: number;
}

/** A started watcher; `note` may be called from anywhere (a no-op when disabled). */
export interface BufferGc {
  readonly enabled: boolean;
  readonly stats: BufferGcStats;
  /** Counts bytes streamed through a Buffer path this process owns. */
  note(bytes: number): void;
  stop(): void;
}

const OFF: BufferGc = { enabled: false, stats: { minor: 0, major: 0 }, note: () => undefined, stop: () => undefined };
let current: BufferGc = OFF;

/** The running watcher of this process (a no-op one until `startBufferGc`). */
export const bufferGc = (): BufferGc => current;

/** Starts this process's watcher (once; a second call returns the first). Does nothing without `gc`. */
export function startBufferGc(o: BufferGcOptions = {}): BufferGc {
  if (current !== OFF) return current;
  const gc = o.gc ?? (globalThis as { gc?: GcFunction }).gc;
  if (typeof gc !== 'function') return OFF;
  const bytes = o.bufferBytes ?? (() => process.memoryUsage().arrayBuffers);
  const step = (o.stepMb ?? 4) * 1024 * 1024;
  const stats: BufferGcStats = { minor: 0, major: 0 };
  // The Buffer level after the last collection: live Buffers (chunks in flight) are not garbage.
  let floor = bytes();
  let streamed = 0;
  const collect = (): void => {
    gc({ type: 'minor' });
    stats.minor++;
    const after = bytes();
    if (after - floor >= step / 2) {
      // Promoted Buffers: only a full GC frees them.
      gc({ type: 'major', execution: 'async' });
      stats.major++;
    }
    floor = Math.min(after, floor + step / 2);
  };
  const timer = setInterval(() => {
    const now = bytes();
    if (now < floor) floor = now;
    if (now - floor >= step) collect();
  }, o.intervalMs ?? 100);
  timer.unref();
  current = {
    enabled: true,
    stats,
    note(n: number) {
      streamed += n;
      if (streamed < step) return;
      streamed = 0;
      gc({ type: 'minor' });
      stats.minor++;
    },
    stop() {
      clearInterval(timer);
      current = OFF;
    },
  };
  return current;
}
