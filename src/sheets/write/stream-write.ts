import { once } from 'node:events';
import type { Writable } from 'node:stream';

/**
 * Collects small strings into chunks of about `chunkChars` and writes them to a Writable,
 * waiting for 'drain' whenever the stream asks for it (backpressure), so memory stays flat
 * however many rows are written.
 */
export class ChunkedWriter {
  private buf = '';

  constructor(
    private readonly out: Writable,
    private readonly chunkChars = 64 * 1024,
  ) {}

  /**
   * Appends text. Returns a promise only when a chunk went out and the stream is full: callers
   * `const p = w.add(s); if (p) await p;` so the common path costs no microtask per row.
   */
  add(s: string): Promise<void> | null {
    this.buf += s;
    return this.buf.length >= this.chunkChars ? this.flush() : null;
  }

  /** Writes what is buffered, waiting for 'drain' if the stream is full. */
  async flush(): Promise<void> {
    if (this.buf === '') return;
    const chunk = this.buf;
    this.buf = '';
    if (!this.out.write(chunk)) await once(this.out, 'drain');
  }
}
