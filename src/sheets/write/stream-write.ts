import type { Writable } from 'node:stream';
import { Utf8Chunks } from './utf8-chunks.js';
import { waitDrain } from './zip-entry.js';

/**
 * Collects small strings into UTF-8 chunks of about `chunkBytes` (see Utf8Chunks) and writes them
 * to a Writable, waiting for 'drain' whenever the stream asks for it (backpressure), so memory
 * stays flat however many rows are written.
 */
export class ChunkedWriter {
  private readonly text: Utf8Chunks;

  constructor(
    private readonly out: Writable,
    chunkBytes = 64 * 1024,
  ) {
    this.text = new Utf8Chunks(chunkBytes, { copy: true });
  }

  /**
   * Appends text. Returns a promise only when a chunk went out and the stream is full: callers
   * `const p = w.add(s); if (p) await p;` so the common path costs no microtask per row.
   */
  add(s: string): Promise<void> | null {
    const chunk = this.text.add(s);
    return chunk ? this.send(chunk) : null;
  }

  /** Writes what is buffered, waiting for 'drain' if the stream is full. */
  async flush(): Promise<void> {
    const chunk = this.text.take();
    if (chunk) await this.send(chunk);
  }

  private send(chunk: Buffer): Promise<void> | null {
    if (this.out.destroyed) return Promise.reject(this.out.errored ?? new Error('output stream was destroyed'));
    // The chunk is handed on (streams may pass it further down), so it is never recycled.
    return this.out.write(chunk) ? null : waitDrain(this.out);
  }
}
