/**
 * Renders one record export: its stored batches, in seq order, through the shared streaming
 * writer into a temporary file (sha256 computed on the way), then uploaded to storage.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import type { ExportColumn } from '../contracts/exports.js';
import { bufferGc } from '../lib/buffer-gc.js';
import type { ObjectStore } from '../storage/object-store.js';
import { exportKeys } from '../storage/keys.js';
import type { CellInput, ColumnSpec } from '../sheets/write/columns.js';
import { EXCEL_MAX_ROWS } from '../sheets/write/sheet-writer.js';
import { XlsxWriter } from '../sheets/write/xlsx-writer.js';
import { NdjsonToCsv } from './csv-lines.js';
import type { ExportRecord } from './export-store.js';
import { parseRecordJson } from './flat-json.js';
import { decodePieces } from './records.js';

const CONTENT_TYPES = { xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', csv: 'text/csv; charset=utf-8' } as const;

/** Hooks of a render: progress per ~`every` records (return false to stop: cancelled), phase change. */
export interface RenderHooks {
  progress(written: number): Promise<boolean>;
  uploading(): Promise<boolean>;
  signal?: AbortSignal;
}

export interface RenderResult {
  fileKey: string;
  fileSize: number;
  sha256: string;
  records: number;
  uploadMs: number;
}

/** Thrown when the export was cancelled (or taken over) while rendering. */
export class RenderStopped extends Error {}

const columnSpec = (c: ExportColumn): ColumnSpec => ({ header: c.name, type: c.type, width: c.width ?? (c.type === 'string' ? 20 : 14), numFmt: c.numFmt });

/**
 * Yields the records (JSON arrays) of every batch in order, one batch open at a time, in blocks
 * (the records of one piece: an await per block, not per record). Chunks are decoded piece by
 * piece (see decodePieces).
 *
 * The block and its record arrays are reused for the next block (see parseFlatJson's `into`): the
 * caller must be done with a block when it asks for the next one. (CSV reads the stored bytes
 * itself: see csv-lines.ts.)
 */
async function* recordBlocks(store: ObjectStore, e: ExportRecord): AsyncGenerator<CellInput[][]> {
  const block: CellInput[][] = [];
  const pool: CellInput[][] = [];
  const next = (line: string): void => {
    const k = block.length;
    const into = (pool[k] ??= []) as (string | number | boolean | null)[];
    block.push(parseRecordJson(line, into) as CellInput[]);
  };
  for (const seq of e.seqs) {
    const body: Readable = await store.get(exportKeys.batch(e.id, seq));
    const decoder = new StringDecoder('utf8');
    let rest = '';
    for await (const chunk of body) {
      for (const text of decodePieces(decoder, chunk as Buffer)) {
        rest += text;
        block.length = 0;
        let start = 0;
        let nl: number;
        while ((nl = rest.indexOf('\n', start)) >= 0) {
          next(rest.slice(start, nl));
          start = nl + 1;
        }
        rest = start === 0 ? rest : rest.slice(start);
        if (block.length > 0) yield block;
      }
    }
    rest += decoder.end();
    if (rest) {
      block.length = 0;
      next(rest);
      yield block;
    }
  }
}

/**
 * The file as a stream for the upload, counting its bytes for bufferGc: an upload allocates a
 * Buffer per chunk and hardly any JS objects, so without a nudge no GC would free them.
 */
function meteredFile(file: string): Readable {
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bufferGc().note(chunk.length);
      cb(null, chunk);
    },
  });
  pipeline(createReadStream(file), meter).catch((err: unknown) => meter.destroy(err as Error));
  return meter;
}

/** Renders and uploads; the temporary file is removed whatever happens. */
export async function renderExport(e: ExportRecord, deps: { store: ObjectStore; tmpDir: string }, hooks: RenderHooks): Promise<RenderResult> {
  await mkdir(deps.tmpDir, { recursive: true });
  const tmp = path.join(deps.tmpDir, `export-${e.id}-${randomBytes(6).toString('hex')}.${e.format}`);
  const hash = createHash('sha256');
  const hasher = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      bufferGc().note(chunk.length);
      cb(null, chunk);
    },
  });
  const file = createWriteStream(tmp);
  // pipeline, not pipe: a failing file (disk full) destroys the hasher too, so the writer's wait
  // for 'drain' ends with the error instead of hanging.
  const saved = pipeline(hasher, file);
  saved.catch(() => undefined);
  const every = 20_000;
  let written = 0;
  const tick = async (): Promise<void> => {
    if (hooks.signal?.aborted || !(await hooks.progress(written))) throw new RenderStopped('export stopped');
  };
  try {
    const columns = e.columns.map(columnSpec);
    if (e.format === 'csv') {
      // Stored lines go to CSV bytes directly (see csv-lines.ts): one step per stored chunk.
      const csv = new NdjsonToCsv(hasher, columns, { bom: e.csvBom });
      let next = every;
      for (const seq of e.seqs) {
        const body: Readable = await deps.store.get(exportKeys.batch(e.id, seq));
        for await (const chunk of body) {
          // Read chunks are Buffers too, arriving as fast as they are written out (bufferGc).
          bufferGc().note((chunk as Buffer).length);
          const p = csv.write(chunk as Buffer);
          if (p) await p;
          if (csv.records >= next) {
            written = csv.records;
            next = (Math.floor(written / every) + 1) * every;
            await tick();
          }
        }
        const p = csv.endBatch();
        if (p) await p;
      }
      await csv.finish();
      written = csv.records;
    } else {
      const xlsx = new XlsxWriter(hasher, { level: 1 });
      let part = 1;
      let sheet = await xlsx.addSheet({ name: e.sheetName, columns, autoFilter: true });
      for await (const block of recordBlocks(deps.store, e)) {
        for (const rec of block) {
          // Past Excel's last row the records continue on "<name> (2)", with the header again.
          if (sheet.rowsLeft === 0) sheet = await xlsx.addSheet({ name: `${e.sheetName.slice(0, 26)} (${++part})`, columns, autoFilter: true });
          const p = sheet.writeRow(rec);
          if (p) await p;
          if (++written % every === 0) await tick();
        }
      }
      await xlsx.finish();
    }
    await saved;
    if (!(await hooks.uploading())) throw new RenderStopped('export stopped');
    const fileKey = exportKeys.file(e.id, e.format);
    const onDisk = (await stat(tmp)).size;
    const t0 = performance.now();
    // A driver that can take the file as it is (local: a rename) does; the others get a stream.
    const { size } = deps.store.putFile ? await deps.store.putFile(fileKey, tmp) : await deps.store.put(fileKey, meteredFile(tmp), { contentType: CONTENT_TYPES[e.format] });
    const uploadMs = performance.now() - t0;
    if (onDisk !== size) throw new Error(`uploaded ${size} bytes of a ${onDisk}-byte file`);
    return { fileKey, fileSize: size, sha256: hash.digest('hex'), records: written, uploadMs };
  } finally {
    hasher.destroy();
    file.destroy();
    await unlink(tmp).catch(() => undefined);
  }
}

export { EXCEL_MAX_ROWS };
