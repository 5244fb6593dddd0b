/**
 * Cuts a byte stream into upload parts of a fixed size, holding at most one part (plus the chunk
 * being split) in memory, so a multipart upload of any length runs in bounded memory.
 */
import type { Readable } from 'node:stream';

/**
 * Yields buffers of exactly `partSize` bytes, then the remainder (if any). An empty stream yields
 * one empty buffer, so a caller always has a first part to decide between a single PUT and a
 * multipart upload.
 *
 * The stream is read with backpressure: nothing is pulled while the consumer works on a part.
 */
export async function* readParts(source: Readable, partSize: number): AsyncGenerator<Buffer> {
  let held: Buffer[] = [];
  let heldBytes = 0;
  let yielded = false;
  for await (const raw of source) {
    let chunk: Buffer = Buffer.isBuffer(raw) ? raw : Buffer.from(raw as string);
    while (heldBytes + chunk.length >= partSize) {
      const take = partSize - heldBytes;
      held.push(chunk.subarray(0, take));
      chunk = chunk.subarray(take);
      yield Buffer.concat(held, partSize);
      yielded = true;
      held = [];
      heldBytes = 0;
    }
    if (chunk.length > 0) {
      held.push(chunk);
      heldBytes += chunk.length;
    }
  }
  if (heldBytes > 0 || !yielded) yield Buffer.concat(held, heldBytes);
}
