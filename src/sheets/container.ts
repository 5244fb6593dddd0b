import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';

/** What a file's first bytes say it is. */
export type Container = 'zip' | 'cfb' | 'text' | 'empty';

const CFB_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

/** Sniffs the container: a zip (xlsx/xlsm/ods…), an OLE2 compound file (xls, encrypted OOXML) or text. */
export async function sniffContainer(path: string): Promise<Container> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(8);
    const { bytesRead } = await fh.read(head, 0, 8, 0);
    if (bytesRead === 0) return 'empty';
    if (bytesRead >= 4 && head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5) && (head[3] === 4 || head[3] === 6)) return 'zip';
    if (bytesRead === 8 && head.equals(CFB_MAGIC)) return 'cfb';
    return 'text';
  } finally {
    await fh.close();
  }
}

const ENCRYPTED_PACKAGE = Buffer.from('EncryptedPackage', 'utf16le');

/**
 * True when a compound file holds an `EncryptedPackage` stream: that is how Office stores a
 * password-protected xlsx/xlsm (the directory entry names are UTF-16LE). Scans the file in
 * chunks with an overlap so a name split between chunks is still found.
 */
export async function hasEncryptedPackage(path: string, signal?: AbortSignal): Promise<boolean> {
  let tail: Buffer = Buffer.alloc(0);
  const stream = createReadStream(path, { highWaterMark: 1 << 20, signal });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const buf = tail.length ? Buffer.concat([tail, chunk]) : chunk;
    if (buf.indexOf(ENCRYPTED_PACKAGE) >= 0) {
      stream.destroy();
      return true;
    }
    tail = buf.subarray(Math.max(0, buf.length - ENCRYPTED_PACKAGE.length + 1));
  }
  return false;
}
