/**
 * Reads a compare upload (multipart parts) as a stream: each file is sniffed on its first bytes,
 * hashed and counted while it flows to storage (or, for an idempotent replay, to nowhere), so a
 * file is never held in memory whole.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { Readable } from 'node:stream';
import { CompareOptionsSchema, type CompareOptions } from '../contracts/index.js';
import { ERRORS } from '../errors/index.js';
import type { StoredFile } from '../jobs/types.js';
import { SNIFF_BYTES, sniffSpreadsheet, type SpreadsheetFormat } from './file-sniff.js';

/** The parts of a multipart body this module needs (what @fastify/multipart yields). */
export type UploadPart =
  | { type: 'file'; fieldname: string; filename?: string | undefined; file: Readable }
  | { type: 'field'; fieldname: string; value: unknown; valueTruncated?: boolean };

/** Stores a sniffed file: receives its format and body, resolves with the storage key. */
export type PersistFile = (side: 'old' | 'new', format: SpreadsheetFormat, body: Readable) => Promise<string>;

export interface CompareUpload {
  files: { old: StoredFile; new: StoredFile };
  key: string[];
  options: CompareOptions;
  /** sha256 over field values, file names and file hashes: equal for the same logical request. */
  fingerprint: string;
}

const SIDES = { file1: 'old', file2: 'new' } as const;

/** Busboy limits for a compare upload; one byte over the limit so our own check reports it. */
export function compareUploadLimits(maxBytes: number) {
  return { fileSize: maxBytes + 1, files: 2, fields: 10, parts: 12, fieldSize: 64 * 1024, headerPairs: 100 };
}

function tooLarge(maxBytes: number, field: string) {
  return ERRORS.tooLarge(`${field} is larger than the limit of ${maxBytes} bytes`, { limit: maxBytes, field });
}

/** Keeps the last path segment of a client file name (browsers may send `C:\fakepath\x.csv`). */
export function cleanFileName(name: string | undefined, fallback: string): string {
  const base = path.win32.basename(path.posix.basename(name ?? '')).replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return (base || fallback).slice(0, 255);
}

/**
 * Consumes one file stream: sniffs the format on the first `SNIFF_BYTES`, enforces `maxBytes`,
 * and hashes it while `persist` (if any) writes it. Without `persist` the bytes are only hashed.
 */
export async function receiveFile(
  file: Readable,
  opts: { field: string; side: 'old' | 'new'; name: string; maxBytes: number; persist?: PersistFile | undefined },
): Promise<StoredFile> {
  const hash = createHash('sha256');
  let size = 0;
  const count = (chunk: Buffer) => {
    size += chunk.length;
    if (size > opts.maxBytes) throw tooLarge(opts.maxBytes, opts.field);
    hash.update(chunk);
  };
  const source = file[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  try {
    const head: Buffer[] = [];
    let headLen = 0;
    let ended = false;
    while (headLen < SNIFF_BYTES) {
      const r = await source.next();
      if (r.done) {
        ended = true;
        break;
      }
      count(r.value);
      head.push(r.value);
      headLen += r.value.length;
    }
    if (size === 0) throw ERRORS.validation(`${opts.field} is empty`, { issues: [{ path: [opts.field], message: 'empty file' }] });
    const format = sniffSpreadsheet(Buffer.concat(head), opts.name);
    async function* body() {
      yield* head;
      if (ended) return;
      for (let r = await source.next(); !r.done; r = await source.next()) {
        count(r.value);
        yield r.value;
      }
    }
    const stream = Readable.from(body(), { objectMode: false });
    let storageKey = '';
    if (opts.persist) storageKey = await opts.persist(opts.side, format, stream);
    else for await (const _ of stream); // hash only: an idempotent replay must not store a second copy
    return { name: opts.name, storageKey, size, sha256: hash.digest('hex'), format };
  } catch (err) {
    // Stop the multipart parser from waiting on a half-read part.
    await source.return?.().catch(() => undefined);
    throw err;
  }
}

function parseKey(value: string): string[] {
  const key = value
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k.length > 0);
  if (key.length > 50 || key.some((k) => k.length > 200)) {
    throw ERRORS.validation('key: at most 50 columns of at most 200 characters', {
      issues: [{ path: ['key'], message: 'too many or too long key columns' }],
    });
  }
  return key;
}

function parseOptions(value: unknown): CompareOptions {
  let raw = value;
  if (typeof value === 'string') {
    if (value.trim() === '') raw = {};
    else {
      try {
        raw = JSON.parse(value);
      } catch (err) {
        throw ERRORS.validation('options is not valid JSON', {
          issues: [{ code: 'invalid_json', path: ['options'], message: (err as Error).message }],
        });
      }
    }
  }
  const parsed = CompareOptionsSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ ...i, path: ['options', ...i.path] }));
    throw ERRORS.validation('options is invalid', { issues });
  }
  return parsed.data;
}

const fieldError = (field: string, message: string) =>
  ERRORS.validation(`${field}: ${message}`, { issues: [{ path: [field], message }] });

/**
 * Reads every part of a compare upload: `file1` (old), `file2` (new), `key`, `options`.
 *
 * Fields are validated as they arrive (so a bad `options` sent first fails before any upload);
 * files are handed to `persist`. On any error the caller removes what `persist` stored.
 */
export async function readCompareUpload(
  parts: AsyncIterable<UploadPart>,
  opts: { maxBytes: number; persist?: PersistFile | undefined },
): Promise<CompareUpload> {
  const files: Partial<Record<'old' | 'new', StoredFile>> = {};
  const raw: Record<string, string> = {};
  let key: string[] = [];
  let options: CompareOptions = CompareOptionsSchema.parse({});
  for await (const part of parts) {
    if (part.type === 'file') {
      const side = SIDES[part.fieldname as keyof typeof SIDES];
      if (!side) {
        part.file.resume();
        throw fieldError(part.fieldname, 'unexpected file field (expected file1 and file2)');
      }
      if (files[side]) throw fieldError(part.fieldname, 'sent more than once');
      const name = cleanFileName(part.filename, part.fieldname);
      files[side] = await receiveFile(part.file, { field: part.fieldname, side, name, maxBytes: opts.maxBytes, persist: opts.persist });
      continue;
    }
    if (part.fieldname in raw) throw fieldError(part.fieldname, 'sent more than once');
    if (part.valueTruncated) throw fieldError(part.fieldname, 'value too long');
    const text = typeof part.value === 'string' ? part.value : JSON.stringify(part.value ?? '');
    raw[part.fieldname] = text;
    if (part.fieldname === 'key') key = parseKey(text);
    else if (part.fieldname === 'options') options = parseOptions(part.value);
    else throw fieldError(part.fieldname, 'unknown field (expected file1, file2, key, options)');
  }
  if (!files.old || !files.new) {
    const missing = [!files.old && 'file1', !files.new && 'file2'].filter(Boolean) as string[];
    throw ERRORS.validation(`missing ${missing.join(' and ')}`, {
      issues: missing.map((m) => ({ path: [m], message: 'required' })),
    });
  }
  const fingerprint = createHash('sha256')
    .update(
      JSON.stringify({
        key: raw.key ?? '',
        options: raw.options ?? '',
        file1: [files.old.name, files.old.sha256],
        file2: [files.new.name, files.new.sha256],
      }),
    )
    .digest('hex');
  return { files: { old: files.old, new: files.new }, key, options, fingerprint };
}
