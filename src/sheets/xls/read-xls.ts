import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { CellValue, Table } from '../../domain/table.js';
import { ERRORS } from '../../errors/index.js';
import { excelSerialToIso, formatDateKind } from '../excel-date.js';
import { selectSheet } from '../select-sheet.js';
import { TableBuilder, type RowSink, type SheetInfo, type TableLimits } from '../table-builder.js';

/** Options of {@link readXls}. */
export interface ReadXlsOptions extends TableLimits {
  sheet?: string;
  /** Read this sheet when `sheet` is absent and it exists (see ReadTableOptions). */
  preferSheet?: string;
  signal?: AbortSignal;
  /** Heap limit of the parsing worker. @defaultValue 512 */
  maxHeapMb?: number;
  /** Wall-clock limit of the parse. @defaultValue 30,000 */
  timeoutMs?: number;
  /** Module the worker loads as SheetJS. @defaultValue the installed `@e965/xlsx` */
  parserModule?: string;
}

/** A date-formatted number cell, converted on this side with the date rules of the xlsx reader. */
interface DateCell {
  s: number;
  z: string;
}
type WireCell = CellValue | DateCell;
interface WorkerReply {
  /** The file could not be parsed (the user's file is at fault). */
  error?: string;
  /** The parser itself could not be loaded (the installation is at fault, not the file). */
  fault?: string;
  names?: string[];
  index?: number;
  date1904?: boolean;
  rows?: [number, WireCell[]][];
}

// Runs inside the worker (CommonJS, eval'd): SheetJS parses the whole workbook in memory, so it
// is fenced into a thread with its own heap limit and a timeout.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ERR = { 0: '#NULL!', 7: '#DIV/0!', 15: '#VALUE!', 23: '#REF!', 29: '#NAME?', 36: '#NUM!', 42: '#N/A', 43: '#GETTING_DATA' };
let X;
try {
  X = require(workerData.lib);
} catch (e) {
  parentPort.postMessage({ fault: String((e && e.message) || e) });
}
if (X) try {
  const wb = X.readFile(workerData.path, { dense: true, cellNF: true, cellText: false, cellDates: false,
    cellFormula: false, cellHTML: false, cellStyles: false, WTF: false });
  const names = wb.SheetNames.slice();
  let index = 0;
  const wanted = workerData.sheet || workerData.prefer;
  if (wanted) {
    index = names.indexOf(wanted);
    if (index < 0) {
      const w = wanted.trim().toLowerCase();
      index = names.findIndex((n) => n.trim().toLowerCase() === w);
    }
    if (index < 0 && !workerData.sheet) index = 0;
  }
  const rows = [];
  const ws = index >= 0 ? wb.Sheets[names[index]] : undefined;
  const data = (ws && ws['!data']) || [];
  for (let r = 0; r < data.length; r++) {
    const src = data[r];
    if (!src) continue;
    const out = [];
    for (let c = 0; c < src.length; c++) {
      const cell = src[c];
      let v = null;
      if (cell) {
        if (cell.t === 'n') v = cell.z && X.SSF.is_date(cell.z) ? { s: cell.v, z: String(cell.z) } : cell.v;
        else if (cell.t === 's' || cell.t === 'b') v = cell.v;
        else if (cell.t === 'e') v = ERR[cell.v] || '#ERROR!';
        else if (cell.t === 'd') v = cell.v instanceof Date ? cell.v.toISOString() : String(cell.v);
      }
      out.push(v === undefined ? null : v);
    }
    rows.push([r + 1, out]);
  }
  const date1904 = !!(wb.Workbook && wb.Workbook.WBProps && wb.Workbook.WBProps.date1904);
  parentPort.postMessage({ names, index, date1904, rows });
} catch (e) {
  parentPort.postMessage({ error: String((e && e.message) || e) });
}
`;

const SHEETJS = createRequire(import.meta.url).resolve('@e965/xlsx');

function runWorker(path: string, opts: Omit<ReadXlsOptions, 'maxRows'>): Promise<WorkerReply> {
  return new Promise((resolve, reject) => {
    opts.signal?.throwIfAborted();
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { lib: opts.parserModule ?? SHEETJS, path, sheet: opts.sheet ?? '', prefer: opts.preferSheet ?? '' },
      resourceLimits: { maxOldGenerationSizeMb: opts.maxHeapMb ?? 512 },
      stdout: true,
      stderr: true,
    });
    // SheetJS may print warnings; drain them so they neither block the worker nor reach our logs.
    worker.stdout.resume();
    worker.stderr.resume();
    let settled = false;
    const done = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      fn();
    };
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const timer = setTimeout(
      () => done(() => reject(ERRORS.malformedFile(`The xls file took too long to read (over ${timeoutMs / 1000} s)`))),
      timeoutMs,
    );
    const onAbort = (): void => done(() => reject(opts.signal!.reason));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (m: WorkerReply) => done(() => resolve(m)));
    worker.once('error', (err: Error & { code?: string }) =>
      done(() =>
        reject(
          err.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? ERRORS.tooManyCells(`The xls file needs more than ${opts.maxHeapMb ?? 512} MB to read`)
            : ERRORS.malformedFile(`Cannot read the xls file: ${err.message}`),
        ),
      ),
    );
    worker.once('exit', (code) => done(() => reject(ERRORS.malformedFile(`The xls reader stopped (exit ${code})`))));
  });
}

/**
 * Reads one sheet of a BIFF8 `.xls` workbook (also BIFF5 and the SpreadsheetML/HTML files
 * saved with an .xls name) with SheetJS in a worker thread: a heap limit and a timeout keep a
 * hostile file from taking the process down. Dates follow the rules of the xlsx reader.
 *
 * @throws AppError `password_protected`, `malformed_file` (unreadable or too slow),
 *   `too_many_cells` (heap limit), `sheet_not_found`, `empty_sheet`, `too_many_rows`;
 *   `internal_error` (retryable) when the parser module cannot be loaded: a broken installation is
 *   not the file's fault.
 */
export async function readXls(path: string, opts: ReadXlsOptions): Promise<Table> {
  const builder = new TableBuilder(opts);
  const info = await readXlsRows(path, opts, (n, cells) => builder.add(n, cells));
  return builder.finish(info.sheetName, info.sheetNames);
}

/** Streams the rows of one sheet of an .xls workbook to `sink` (see readXls). */
export async function readXlsRows(path: string, opts: Omit<ReadXlsOptions, 'maxRows'>, sink: RowSink): Promise<SheetInfo> {
  const reply = await runWorker(path, opts);
  // Retryable: another attempt (or another worker, after a fixed deployment) can read the file.
  if (reply.fault !== undefined) throw ERRORS.internal(`The xls parser could not be loaded: ${reply.fault}`);
  if (reply.error !== undefined) {
    if (/password|encrypt/i.test(reply.error)) throw ERRORS.passwordProtected('The xls file is password-protected');
    throw ERRORS.malformedFile(`Cannot read the xls file: ${reply.error}`);
  }
  const names = reply.names ?? [];
  const index = reply.index !== undefined && reply.index >= 0 ? reply.index : selectSheet(names, opts.sheet);
  const date1904 = reply.date1904 === true;
  for (const [n, wire] of reply.rows ?? []) {
    const cells = wire as CellValue[];
    for (let i = 0; i < wire.length; i++) {
      const v = wire[i];
      if (v !== null && typeof v === 'object') cells[i] = excelSerialToIso(v.s, date1904, formatDateKind(v.z));
    }
    sink(n, cells);
  }
  return { sheetName: names[index] ?? 'Sheet1', sheetNames: names };
}
