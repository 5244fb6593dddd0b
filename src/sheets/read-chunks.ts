import { open } from 'node:fs/promises';

/**
 * Reads a file from `start` in chunks of up to `size` bytes, into two buffers used in turn: the
 * next read is in flight while the caller handles a chunk, and no memory is allocated per
 * chunk (a stream allocates a fresh buffer for every read, and fresh pages cost page faults).
 * A chunk is valid until the caller asks for the next one.
 */
export async function* readChunks(path: string, start = 0, size = 1 << 20, signal?: AbortSignal): AsyncGenerator<Buffer> {
  const fh = await open(path, 'r');
  try {
    const bufs = [Buffer.allocUnsafe(size), Buffer.allocUnsafe(size)];
    let pos = start;
    let i = 0;
    let pending = fh.read(bufs[0]!, 0, size, pos);
    for (;;) {
      const { bytesRead } = await pending;
      signal?.throwIfAborted();
      if (bytesRead === 0) return;
      pos += bytesRead;
      const cur = bufs[i]!;
      i ^= 1;
      pending = fh.read(bufs[i]!, 0, size, pos);
      yield cur.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}
