/**
 * Batch bodies of record exports: NDJSON (one JSON array or object per line) or CSV (fields in
 * column order, no header), checked against the declared columns and normalised to NDJSON
 * arrays, the form stored and read back by the worker.
 */
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { ExportColumn } from '../contracts/exports.js';
import { ERRORS } from '../errors/index.js';
import { bufferGc } from '../lib/buffer-gc.js';
import { CsvParser } from '../sheets/csv/csv-parser.js';
import { parseIsoDate } from '../sheets/write/iso-date.js';
import { Utf8Chunks } from '../sheets/write/utf8-chunks.js';
import { parseRecordJson } from './flat-json.js';

/** Longest accepted line of a batch; a body without line breaks cannot grow memory past it. */
export const MAX_LINE_CHARS = 1024 * 1024;
const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

export type BatchKind = 'ndjson' | 'csv';
type Json = string | number | boolean | null;

/** Checks and normalises records of one export; the message names the first problem. */
export class RecordChecker {
  private readonly index: Map<string, number>;

  constructor(private readonly columns: readonly ExportColumn[]) {
    this.index = new Map(columns.map((c, i) => [c.name, i]));
  }

  /**
   * The record as an array in column order, typed; throws a message string when it does not fit.
   * `into`: an array to fill instead of a new one (see parseFlatJson on why hot loops reuse them).
   */
  check(rec: unknown, into?: Json[]): Json[] {
    const n = this.columns.length;
    const out = into ?? new Array<Json>(n);
    out.length = n;
    out.fill(null);
    if (Array.isArray(rec)) {
      if (rec.length > n) throw `has ${rec.length} values for ${n} columns`;
      for (let i = 0; i < rec.length; i++) out[i] = this.value(i, rec[i]);
    } else if (rec !== null && typeof rec === 'object') {
      for (const [k, v] of Object.entries(rec)) {
        const i = this.index.get(k);
        if (i === undefined) throw `has unknown column ${JSON.stringify(k)}`;
        out[i] = this.value(i, v);
      }
    } else throw 'is neither a JSON array nor an object';
    return out;
  }

  /** Whether `checked` (from `check(rec)`) is `rec` unchanged: then the record's own JSON text can be stored as is. */
  static unchanged(rec: unknown, checked: readonly Json[]): boolean {
    if (!Array.isArray(rec) || rec.length !== checked.length) return false;
    for (let i = 0; i < checked.length; i++) if (rec[i] !== checked[i]) return false;
    return true;
  }

  private value(i: number, v: unknown): Json {
    if (v === null || v === undefined || v === '') return null;
    const c = this.columns[i]!;
    const bad = (): never => {
      throw `column ${JSON.stringify(c.name)}: ${JSON.stringify(v)} is not a valid ${c.type}`;
    };
    switch (c.type) {
      case 'string':
        if (typeof v === 'object') bad();
        return typeof v === 'string' ? v : String(v);
      case 'integer':
        if (typeof v === 'number') return Number.isSafeInteger(v) ? v : bad();
        return typeof v === 'string' && INTEGER.test(v) && Number.isSafeInteger(Number(v)) ? Number(v) : bad();
      case 'number':
      case 'currency':
        if (typeof v === 'number') return Number.isFinite(v) ? v : bad();
        return typeof v === 'string' && NUMBER.test(v) ? Number(v) : bad();
      case 'boolean':
        if (typeof v === 'boolean') return v;
        if (v === 1 || v === 'true' || v === 'TRUE' || v === '1') return true;
        if (v === 0 || v === 'false' || v === 'FALSE' || v === '0') return false;
        return bad();
      case 'date':
      case 'datetime':
        return typeof v === 'string' && parseIsoDate(v) !== null ? v : bad();
    }
  }
}

/** Bytes decoded at a time: the text of a piece stays small enough for V8's young generation. */
export const DECODE_BYTES = 16 * 1024;

/**
 * The text of a body chunk, DECODE_BYTES at a time, each piece decoded only when the previous
 * one has been worked through.
 *
 * Piece by piece, so that what lives while a chunk's records are worked on is the chunk itself
 * (a Buffer: its bytes are outside the JS heap, see buffer-gc.ts) plus one small piece of text.
 * Decoding a whole 64 KiB chunk of CJK text at once keeps ~120 KiB of strings alive for the
 * chunk's ~1,000 records; that outlives young GCs, is promoted, and old space grows by it.
 */
export function* decodePieces(decoder: StringDecoder, chunk: Buffer): Generator<string> {
  if (chunk.length <= DECODE_BYTES) yield decoder.write(chunk);
  else for (let o = 0; o < chunk.length; o += DECODE_BYTES) yield decoder.write(chunk.subarray(o, o + DECODE_BYTES));
}

/**
 * Reads a batch body and yields normalised NDJSON in chunks of ~64 KiB; `count()` is the number
 * of records once the generator is done. A record that does not fit throws `invalid_record`
 * naming the batch and line.
 *
 * Memory: the body is decoded piece by piece (see decodePieces) and the output encoded through
 * Utf8Chunks, so no string grows past a few tens of KiB (a 64 KiB chunk of CJK text decoded into
 * one string would be a large-object string, kept until the next full GC).
 */
export function normaliseBatch(body: Readable, kind: BatchKind, checker: RecordChecker, label: string): { lines: AsyncGenerator<Buffer>; count: () => number } {
  let records = 0;
  async function* lines(): AsyncGenerator<Buffer> {
    const out = new Utf8Chunks(64 * 1024, { copy: true });
    let lineNo = 0;
    let ready: Buffer | null = null;
    // One record at a time: the parsed and the checked record reuse their arrays.
    const parsed: Json[] = [];
    const checked: Json[] = [];
    // `raw`: the record's JSON text, stored as is when checking changed nothing (saves a stringify).
    const take = (rec: unknown, raw?: string): void => {
      lineNo++;
      let json: string;
      try {
        checker.check(rec, checked);
        json = raw !== undefined && RecordChecker.unchanged(rec, checked) ? raw : JSON.stringify(checked);
      } catch (reason) {
        throw ERRORS.invalidRecord(`${label}, line ${lineNo}: the record ${String(reason)}`, { line: lineNo });
      }
      records++;
      const full = out.add(json + '\n');
      if (full) ready = ready ? Buffer.concat([ready, full]) : full;
    };
    const decoder = new StringDecoder('utf8');
    if (kind === 'csv') {
      const parser = new CsvParser(',', (fields) => {
        if (fields.length === 1 && fields[0] === '') {
          lineNo++;
          return; // blank line
        }
        take(fields);
      });
      for await (const chunk of body) {
        bufferGc().note((chunk as Buffer).length);
        for (const text of decodePieces(decoder, chunk as Buffer)) {
          parser.push(text);
          if (ready) {
            yield ready;
            ready = null;
          }
        }
      }
      parser.push(decoder.end());
      parser.end();
    } else {
      let rest = '';
      const line = (s: string): void => {
        if (s.trim() === '') {
          lineNo++;
          return;
        }
        let rec: unknown;
        try {
          rec = parseRecordJson(s, parsed);
        } catch {
          lineNo++;
          throw ERRORS.invalidRecord(`${label}, line ${lineNo}: not valid JSON`, { line: lineNo });
        }
        take(rec, s);
      };
      for await (const chunk of body) {
        // Request chunks are Buffers: counted so that dead ones are collected (buffer-gc.ts).
        bufferGc().note((chunk as Buffer).length);
        for (const text of decodePieces(decoder, chunk as Buffer)) {
          rest += text;
          let start = 0;
          let nl: number;
          while ((nl = rest.indexOf('\n', start)) >= 0) {
            line(rest.slice(start, nl));
            start = nl + 1;
          }
          rest = start === 0 ? rest : rest.slice(start);
          if (rest.length > MAX_LINE_CHARS) throw ERRORS.invalidRecord(`${label}, line ${lineNo + 1}: longer than ${MAX_LINE_CHARS} characters`);
          if (ready) {
            yield ready;
            ready = null;
          }
        }
      }
      rest += decoder.end();
      if (rest !== '') line(rest);
    }
    const last = out.take();
    if (ready || last) yield ready && last ? Buffer.concat([ready, last]) : (ready ?? last)!;
  }
  return { lines: lines(), count: () => records };
}
