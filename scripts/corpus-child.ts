/**
 * Child of corpus-sweep.ts: reads one JSON line per file on stdin ({ path }), reads that file
 * with readTable (first non-empty visible sheet) and answers one JSON line on stdout:
 * { ok: true, rows, cols } or { ok: false, code, message, generic }.
 */
import { createInterface } from 'node:readline';
import { AppError } from '../src/errors/index.js';
import { formatFromName, readTable } from '../src/sheets/read-table.js';

for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  const { path } = JSON.parse(line) as { path: string };
  let reply: Record<string, unknown>;
  try {
    const t = await readTable(path, formatFromName(path), { maxRows: 2_000_000, xlsTimeoutMs: 25_000 });
    reply = { ok: true, rows: t.rows.length, cols: t.header.length };
  } catch (err) {
    const app = err instanceof AppError && err.code !== 'internal_error';
    reply = { ok: false, code: app ? (err as AppError).code : 'generic', message: String((err as Error)?.message ?? err).slice(0, 200), generic: !app };
  }
  process.stdout.write(`${JSON.stringify(reply)}\n`);
}
