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
 * `add` returns a full chunk when one is ready; `take` returns what is left. By default a
 * returned chunk is the work buffer itself and belongs to the caller, who may pass it back with
 * `recycle` once nothing reads it any more. With `copy: true` a returned chunk is a copy of
 * exactly `chunkBytes` (the last one: what is left) and the work buffer is kept: for callers that
 * hand chunks to streams which may hold them for a while (one work buffer for the writer's life,
 * and chunks of one size, which the allocator reuses without fragmenting its heap).
 */
export class Utf8Chunks {
  private text = '';
  private buf: Buffer;
  private pos = 0;
  private readonly spare: Buffer[] = [];
  private readonly capacity: number;

  constructor(
    private readonly chunkBytes = 128 * 1024,
    private readonly opts: { copy?: boolean } = {},
  ) {
    // Room for one more step of text (at most 3 bytes per UTF-16 unit) past the chunk size.
    this.capacity = chunkBytes + 3 * TEXT_CHARS;
    this.buf = Buffer.allocUnsafe(this.capacity);
  }

  /** Appends text; returns a full chunk when there is one. */
  add(s: string): Buffer | null {
    this.text += s;
    if (this.text.length < TEXT_CHARS) return null;
    this.encode();
    return this.pos >= this.chunkBytes ? this.cut(false) : null;
  }

  /** Everything held, as one chunk (null when empty). */
  take(): Buffer | null {
    if (this.text) this.encode();
    return this.pos > 0 ? this.cut(true) : null;
  }

  /** Gives a chunk back for reuse once nothing reads it any more (without `copy`). */
  recycle(chunk: Buffer): void {
    if (chunk.buffer.byteLength === this.capacity && chunk.byteOffset === 0 && this.spare.length < 4) {
      this.spare.push(Buffer.from(chunk.buffer, 0, this.capacity));
    }
  }

  private encode(): void {
    const t = this.text;
    this.text = '';
    if (this.pos + 3 * t.length > this.buf.length) {
      // One long piece (a huge row): a larger buffer for this chunk only.
      const bigger = Buffer.allocUnsafe(this.pos + Buffer.byteLength(t, 'utf8'));
      this.buf.copy(bigger, 0, 0, this.pos);
      this.buf = bigger;
    }
    this.pos += this.buf.write(t, this.pos, 'utf8');
  }

  /** Hands out the held bytes: all of them, or (copying) whole multiples of the chunk size. */
  private cut(all: boolean): Buffer {
    if (!this.opts.copy) {
      const full = this.buf.subarray(0, this.pos);
      this.buf = this.spare.pop() ?? Buffer.allocUnsafe(this.capacity);
      this.pos = 0;
      return full;
    }
    // Copies of one size (but the last): freed chunks are reused as they are by the allocator.
    const n = all ? this.pos : this.pos - (this.pos % this.chunkBytes);
    const out = Buffer.allocUnsafeSlow(n);
    this.buf.copy(out, 0, 0, n);
    const rest = this.pos - n;
    if (this.buf.length !== this.capacity) {
      const normal = Buffer.allocUnsafe(this.capacity);
      this.buf.copy(normal, 0, n, this.pos);
      this.buf = normal;
    } else if (rest > 0) this.buf.copyWithin(0, n, this.pos);
    this.pos = rest;
    return out;
  }
}
