/** Text collected before it is encoded: small enough that V8 flattens it in its young generation. */
const TEXT_CHARS = 16 * 1024;

/**
 * Turns many small strings into UTF-8 byte chunks of about `chunkBytes`, cheaply.
 *
 * Writers build XML or CSV as short strings (a row at a time). Joining them into one big string
 * and calling `Buffer.from` on it is slow: V8 keeps `a += b` as a rope, and flattening a rope of
 * 64K+ two-byte characters (any CJK text makes the whole string two-byte) allocates in the
 * large-object space and costs several times the encoding itself. Here the text is encoded every
 * ~16K characters straight into the current byte chunk (`buf.write`), so no string ever gets
 * large and no intermediate Buffer is made.
 *
 * `add` returns a full chunk when one is ready; `take` returns what is left. A returned chunk
 * belongs to the caller; pass it back with `recycle` once nothing reads it any more (optional:
 * it saves an allocation per chunk).
 */
export class Utf8Chunks {
  private text = '';
  private buf: Buffer;
  private pos = 0;
  private readonly spare: Buffer[] = [];
  private readonly capacity: number;

  constructor(private readonly chunkBytes = 128 * 1024) {
    // Room for one more step of text (at most 3 bytes per UTF-16 unit) past the chunk size.
    this.capacity = chunkBytes + 3 * TEXT_CHARS;
    this.buf = Buffer.allocUnsafe(this.capacity);
  }

  /** Bytes and characters held, not yet handed out. */
  get pending(): number {
    return this.pos + this.text.length;
  }

  /** Appends text; returns a full chunk when there is one. */
  add(s: string): Buffer | null {
    this.text += s;
    return this.text.length >= TEXT_CHARS ? this.encode() : null;
  }

  /** Everything held, as one chunk (null when empty). */
  take(): Buffer | null {
    if (this.text) {
      const full = this.encode();
      if (full) {
        // encode() handed out a full chunk; whatever followed it is still held.
        const rest = this.take();
        return rest ? Buffer.concat([full, rest]) : full;
      }
    }
    if (this.pos === 0) return null;
    return this.cut();
  }

  /** Gives a chunk back for reuse once nothing reads it any more. */
  recycle(chunk: Buffer): void {
    if (chunk.buffer.byteLength === this.capacity && chunk.byteOffset === 0 && this.spare.length < 4) {
      this.spare.push(Buffer.from(chunk.buffer, 0, this.capacity));
    }
  }

  private encode(): Buffer | null {
    const t = this.text;
    this.text = '';
    if (this.pos + 3 * t.length <= this.capacity) {
      this.pos += this.buf.write(t, this.pos, 'utf8');
      return this.pos >= this.chunkBytes ? this.cut() : null;
    }
    // A long piece (one huge row): hand out what is held, then the piece on its own.
    const held = this.pos > 0 ? this.cut() : null;
    const big = Buffer.from(t, 'utf8');
    return held ? Buffer.concat([held, big]) : big;
  }

  private cut(): Buffer {
    const full = this.buf.subarray(0, this.pos);
    this.buf = this.spare.pop() ?? Buffer.allocUnsafe(this.capacity);
    this.pos = 0;
    return full;
  }
}
