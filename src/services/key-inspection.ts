/**
 * The key assistant over an upload: one or two spreadsheets (`file1`, `file2`), optional `key`,
 * `sheet` and `headerRow` fields → per file the sheet read, the workbook's sheets and the header
 * row (detected unless `headerRow` is given), per-column uniqueness and completeness, suggested
 * keys and duplicate groups, before any job is created. Files go to a temporary directory, never to
 * storage, and are removed afterwards.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { CompareOptionsSchema } from '../contracts/jobs.js';
import type { KeyReport } from '../contracts/inspect.js';
import { inspectKeys } from '../domain/key-assistant.js';
import type { Table } from '../domain/table.js';
import { ERRORS } from '../errors/index.js';
import { readTable } from '../sheets/read-table.js';
import type { ServiceDeps } from './deps.js';
import { cleanFileName, receiveFile, type UploadPart } from './uploads.js';

const fieldError = (field: string, message: string) => ERRORS.validation(`${field}: ${message}`, { issues: [{ path: [field], message }] });

/** Reads the upload and reports on its files. @throws AppError validation, payload and reader codes. */
export async function inspectUpload(deps: Pick<ServiceDeps, 'config'>, input: { parts: AsyncIterable<UploadPart> }): Promise<KeyReport> {
  const tmp = join(deps.config.storage.dataDir, 'tmp');
  await mkdir(tmp, { recursive: true });
  const dir = await mkdtemp(join(tmp, 'inspect-'));
  try {
    const files: { path: string; format: 'xlsx' | 'xlsm' | 'xls' | 'csv' }[] = [];
    let key: string[] = [];
    let sheet: string | undefined;
    let headerRow: number | undefined;
    for await (const part of input.parts) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file1' && part.fieldname !== 'file2') throw fieldError(part.fieldname, 'unexpected file field (file1, file2)');
        const path = join(dir, part.fieldname);
        const stored = await receiveFile(part.file, {
          field: part.fieldname,
          side: part.fieldname === 'file1' ? 'old' : 'new',
          name: cleanFileName(part.filename, part.fieldname),
          maxBytes: deps.config.http.maxUploadBytes,
          persist: async (_side, _format, body) => {
            await pipeline(body, createWriteStream(path));
            return path;
          },
        });
        files.push({ path, format: stored.format });
      } else {
        const v = String(part.value ?? '');
        if (part.fieldname === 'key') key = v.split(',').map((k) => k.trim()).filter(Boolean).slice(0, 50);
        else if (part.fieldname === 'sheet') sheet = v.slice(0, 200) || undefined;
        else if (part.fieldname === 'headerRow') {
          headerRow = v === '' ? undefined : Number(v);
          if (headerRow !== undefined && !(Number.isInteger(headerRow) && headerRow >= 1 && headerRow <= 1000)) throw fieldError('headerRow', 'an integer from 1 to 1000');
        } else throw fieldError(part.fieldname, 'unexpected field (key, sheet, headerRow)');
      }
    }
    if (files.length === 0) throw fieldError('file1', 'one or two files are required');
    const tables: Table[] = [];
    for (const f of files) {
      // the second file prefers the first one's sheet, as the diff does
      tables.push(
        await readTable(f.path, f.format, {
          sheet,
          preferSheet: tables[0]?.sheetName,
          headerRow,
          maxRows: deps.config.diff.maxRowsPerFile,
          sharedStringsBytes: deps.config.diff.sharedStringsBytes,
          tmpDir: dir,
        }),
      );
    }
    return inspectKeys(tables, { key, options: CompareOptionsSchema.parse({}) });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
