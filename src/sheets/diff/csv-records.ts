import type { CellValue } from '../../domain/table.js';
import type { RecordCodec } from '../../domain/keyed/record-codec.js';
import { CsvParser } from '../csv/csv-parser.js';
import { readChunks } from '../read-chunks.js';

const LF = 10;
const CR = 13;
const QUOTE = 34;

/** Receives one CSV record as the bytes `buf[s, e)` (line end excluded); `quoted` when it holds a `"`. */
export type RecordSink = (buf: Buffer, s: number, e: number, rowNumber: number, quoted: boolean) => void;

/**
 * Index just past the end of the quoted-aware record starting at `p` (at its LF), or -1 when
 * the record does not end inside `buf`. Follows CsvParser: a quote opens a quoted field only at
 * the start of a field, `""` inside one is a literal quote.
 */
function quotedRecordEnd(buf: Buffer, p: number, delim: number): number {
  let atStart = true;
  let inQuotes = false;
  for (let i = p; i < buf.length; i++) {
    const c = buf[i]!;
    if (inQuotes) {
      if (c === QUOTE) {
        if (buf[i + 1] === QUOTE) i++;
        else if (i + 1 >= buf.length) return -1;
        else inQuotes = false;
      }
      continue;
    }
    if (c === LF) return i;
    if (c === delim) atStart = true;
    else {
      if (c === QUOTE && atStart) inQuotes = true;
      atStart = false;
    }
  }
  return -1;
}

function stripNul(buf: Buffer): Buffer {
  const out = Buffer.allocUnsafe(buf.length);
  let n = 0;
  for (let i = 0; i < buf.length; i++) if (buf[i] !== 0) out[n++] = buf[i]!;
  return out.subarray(0, n);
}

/**
 * Streams the records of a UTF-8 CSV file as byte ranges, without decoding text: records end
 * at LF (a CR before it is dropped) outside quoted fields, NUL bytes are removed. The bytes a
 * sink receives are only valid during the call.
 */
export async function scanCsvRecords(path: string, start: number, delimiter: string, sink: RecordSink, signal?: AbortSignal): Promise<void> {
  const delim = delimiter.charCodeAt(0);
  // the unfinished record of one chunk is copied in front of the next, in a buffer kept for reuse
  let work = Buffer.allocUnsafe(0);
  let carry = 0;
  let rowNumber = 0;
  const emit = (buf: Buffer, s: number, e: number, quoted: boolean): void => {
    if (e > s && buf[e - 1] === CR) e--;
    sink(buf, s, e, ++rowNumber, quoted);
  };
  for await (const chunk of readChunks(path, start, 1 << 20, signal)) {
    let buf: Buffer = chunk;
    if (carry > 0) {
      if (work.length < carry + chunk.length) {
        const w = Buffer.allocUnsafe(carry + chunk.length + (chunk.length >> 1));
        work.copy(w, 0, 0, carry);
        work = w;
      }
      chunk.copy(work, carry);
      buf = work.subarray(0, carry + chunk.length);
    }
    if (buf.indexOf(0) >= 0) buf = stripNul(buf);
    let p = 0;
    let nextQuote = buf.indexOf(QUOTE);
    for (;;) {
      let q = buf.indexOf(LF, p);
      if (q < 0) break;
      if (nextQuote >= 0 && nextQuote < p) nextQuote = buf.indexOf(QUOTE, p);
      const quoted = nextQuote >= 0 && nextQuote < q;
      if (quoted) {
        q = quotedRecordEnd(buf, p, delim);
        if (q < 0) break;
        nextQuote = buf.indexOf(QUOTE, q);
      }
      emit(buf, p, q, quoted);
      p = q + 1;
    }
    carry = buf.length - p;
    if (carry > 0) {
      if (buf.buffer === work.buffer && buf.byteOffset === work.byteOffset) work.copyWithin(0, p, buf.length);
      else {
        if (work.length < carry) work = Buffer.allocUnsafe(Math.max(carry * 2, 1 << 20));
        buf.copy(work, 0, p, buf.length);
      }
    }
  }
  if (carry > 0) {
    const last = work.subarray(0, carry);
    emit(last, 0, carry, last.indexOf(QUOTE) >= 0);
  }
}

const utf8 = new TextDecoder();

/** Fields of one CSV record's text (quotes resolved). */
export function parseCsvRecord(text: string, delimiter: string): string[] {
  let fields: string[] | undefined;
  const p = new CsvParser(delimiter, (f) => {
    fields ??= f;
  });
  p.push(text);
  p.end();
  return fields ?? [''];
}

/** Codec of raw UTF-8 CSV record bytes: every cell a string, as readCsv gives them. */
export function csvRecordCodec(delimiter: string): RecordCodec {
  return {
    decode(buf, s, e, width) {
      const text = utf8.decode(buf.subarray(s, e));
      const parts = text.includes('"') ? parseCsvRecord(text, delimiter) : text.split(delimiter);
      const out = new Array<CellValue>(width);
      for (let i = 0; i < width; i++) out[i] = parts[i] ?? null;
      return out;
    },
  };
}
