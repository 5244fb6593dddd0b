import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTable } from '../../../src/sheets/read-table.js';
import { ChunkedWriter } from '../../../src/sheets/write/stream-write.js';
import { Utf8Chunks } from '../../../src/sheets/write/utf8-chunks.js';
import { XlsxWriter } from '../../../src/sheets/write/xlsx-writer.js';
import { ZipWriter } from '../../../src/sheets/write/zip-writer.js';
import { readZipEntries } from '../../helpers/zip.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sd-chunks-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A Writable that keeps everything and completes each write after `delayMs` (0: at once). */
function sink(delayMs = 0, highWaterMark = 16 * 1024): { out: Writable; bytes: () => Buffer; maxBuffered: () => number } {
  const chunks: Buffer[] = [];
  let max = 0;
  const out = new Writable({
    highWaterMark,
    write(chunk: Buffer, _e, cb) {
      chunks.push(Buffer.from(chunk)); // a copy: the writer may reuse its chunks
      max = Math.max(max, out.writableLength);
      if (delayMs) setTimeout(cb, delayMs);
      else cb();
    },
  });
  return { out, bytes: () => Buffer.concat(chunks), maxBuffered: () => max };
}

describe('Utf8Chunks', () => {
  it('encodes ASCII, CJK, emoji and a piece larger than a chunk exactly, in order', () => {
    const u = new Utf8Chunks(1024);
    const pieces: string[] = [];
    for (let i = 0; i < 5000; i++) pieces.push(i % 7 === 0 ? `北京${i}😀` : `row ${i};`);
    pieces.splice(2500, 0, 'x'.repeat(100_000), '上'.repeat(40_000));
    const out: Buffer[] = [];
    for (const p of pieces) {
      const c = u.add(p);
      if (c) out.push(Buffer.from(c));
    }
    const rest = u.take();
    if (rest) out.push(rest);
    expect(u.take()).toBeNull();
    expect(Buffer.concat(out).toString('utf8')).toBe(pieces.join(''));
    // text is encoded every 16K characters; a piece too large for the chunk comes out whole
    expect(out[0]!.length).toBeGreaterThanOrEqual(16 * 1024);
    expect(out[0]!.length).toBeLessThan(1024 + 3 * 16 * 1024);
    expect(out.some((c) => c.length >= 100_000)).toBe(true);
  });

  it('reuses a recycled chunk for the next one', () => {
    const u = new Utf8Chunks(1024);
    const first = u.add('a'.repeat(16_384))!;
    expect(first).not.toBeNull();
    u.recycle(first);
    // the chunk after next is encoded into the recycled memory
    const second = u.add('b'.repeat(16_384))!;
    const third = u.add('c'.repeat(16_384))!;
    expect(second.buffer === first.buffer).toBe(false);
    expect(third.buffer === first.buffer).toBe(true);
    expect(third.toString()).toBe('c'.repeat(16_384));
  });
});

describe('Utf8Chunks with copy', () => {
  it('hands out copies of exactly the chunk size (the last one: the rest) and keeps its work buffer', () => {
    const u = new Utf8Chunks(65_536, { copy: true });
    let text = '';
    const out: Buffer[] = [];
    for (let i = 0; i < 100_000; i++) {
      const piece = i % 3 ? `${i};` : `${i} 上海 ${'z'.repeat(i % 40)}\n`;
      text += piece;
      const c = u.add(piece);
      if (c) out.push(c);
      if (i === 50_000) {
        const big = 'x'.repeat(200_000); // longer than a chunk: still cut into whole chunks
        text += big;
        const d = u.add(big);
        if (d) out.push(d);
      }
    }
    const last = u.take();
    if (last) out.push(last);
    expect(Buffer.concat(out).toString('utf8')).toBe(text);
    for (const c of out.slice(0, -1)) expect(c.length % 65_536).toBe(0);
    expect(out.slice(0, -1).filter((c) => c.length === 65_536).length).toBeGreaterThanOrEqual(out.length - 2);
    expect(out.length).toBeGreaterThan(20);
    // copies own their memory: no two chunks share a buffer
    expect(new Set(out.map((c) => c.buffer)).size).toBe(out.length);
  });
});

describe('ChunkedWriter', () => {
  it('writes bytes that decode to the text and waits for a slow destination', async () => {
    const s = sink(1, 1024);
    const w = new ChunkedWriter(s.out, 2048);
    let text = '';
    let waited = 0;
    for (let i = 0; i < 20_000; i++) {
      const line = `${i},名前${i}\r\n`;
      text += line;
      const p = w.add(line);
      if (p) {
        waited++;
        await p;
      }
    }
    await w.flush();
    expect(s.bytes().toString('utf8')).toBe(text);
    expect(waited).toBeGreaterThan(10);
    expect(s.maxBuffered()).toBeLessThan(64 * 1024);
  });
});

describe('ZipEntryStream', () => {
  it('streams many small chunks through one deflate stream into a valid zip', async () => {
    const s = sink(0);
    const zip = new ZipWriter(s.out, { tuning: { chunkBytes: 512, maxInFlight: 1 } });
    const e = await zip.openEntry('big.txt');
    let text = '';
    for (let i = 0; i < 30_000; i++) {
      const line = `${i} 上海 ${'z'.repeat(i % 50)}\n`;
      text += line;
      const p = e.write(line);
      if (p) await p;
    }
    await e.close();
    await zip.addBuffer('small.txt', 'hello');
    await zip.finish();
    const path = join(dir, 'chunks.zip');
    await writeFile(path, s.bytes());
    const parts = await readZipEntries(path);
    expect(parts.get('big.txt')).toBe(text);
    expect(parts.get('small.txt')).toBe('hello');
  });

  it('keeps the archive stream bounded when it is slow (deflate is paused, then the writer waits)', async () => {
    const s = sink(2, 4096);
    const x = new XlsxWriter(s.out, { tuning: { chunkBytes: 8 * 1024 } });
    const sheet = await x.addSheet({ name: 'S', columns: [{ header: 'i', type: 'integer' }, { header: 't' }] });
    let waits = 0;
    for (let i = 0; i < 20_000; i++) {
      // random-ish text compresses poorly, so the archive stream really fills up
      const p = sheet.writeRow([i, `${((i * 2654435761) >>> 0).toString(36)}${((i * 40503) >>> 0).toString(36)}`]);
      if (p) {
        waits++;
        await p;
      }
    }
    await x.finish();
    expect(waits).toBeGreaterThan(0);
    expect(s.maxBuffered()).toBeLessThan(256 * 1024);
    const path = join(dir, 'slow.xlsx');
    await writeFile(path, s.bytes());
    const t = await readTable(path, 'xlsx', { maxRows: 50_000 });
    expect(t.rows.length).toBe(20_000);
    expect(t.rows[19_999]![0]).toBe(19_999);
  });

  it('rejects instead of hanging when the archive stream fails while deflate is paused', async () => {
    let n = 0;
    const out = new Writable({
      highWaterMark: 1024,
      write(_c, _e, cb) {
        if (++n === 5) cb(new Error('disk full'));
        else setTimeout(cb, 1);
      },
    });
    out.on('error', () => undefined);
    const x = new XlsxWriter(out, { tuning: { chunkBytes: 4096 } });
    const run = async (): Promise<void> => {
      const sheet = await x.addSheet({ name: 'S', columns: [{ header: 't' }] });
      for (let i = 0; i < 100_000; i++) {
        const p = sheet.writeRow([`${i} ${(i * 2654435761) % 1000003}`]);
        if (p) await p;
      }
      await x.finish();
    };
    await expect(run()).rejects.toThrow(/disk full|destroyed|closed/);
  });
});
