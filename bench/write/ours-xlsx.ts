/**
 * One contender of `npm run bench:write`: the shared XlsxWriter (or CsvWriter) writing the bench
 * generator's 10-column table with typed columns. Prints `RESULT {rows, ms}` like the anchors.
 *
 *   tsx bench/write/ours-xlsx.ts --rows N --out f.xlsx [--format xlsx|csv] [--level 1]
 */
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { CsvWriter } from '../../src/sheets/write/csv-writer.js';
import type { ColumnSpec } from '../../src/sheets/write/columns.js';
import { XlsxWriter } from '../../src/sheets/write/xlsx-writer.js';
// @ts-expect-error plain ESM module of the shared bench, no types
import { baseRows, DATE_COL, dayIso } from '../../../shared/bench/lib/gen-core.mjs';

const { values: a } = parseArgs({
  options: { rows: { type: 'string', default: '100000' }, out: { type: 'string', default: '/tmp/ours.xlsx' }, format: { type: 'string', default: 'xlsx' }, level: { type: 'string', default: '1' } },
});
const columns: ColumnSpec[] = [
  { header: 'id', type: 'integer', width: 12 },
  { header: 'qty', type: 'integer', width: 12 },
  { header: 'price', type: 'currency', width: 12 },
  { header: 'delta', type: 'number', width: 12 },
  { header: 'sku', type: 'string', width: 12 },
  { header: 'name', type: 'string', width: 12 },
  { header: 'city', type: 'string', width: 12 },
  { header: 'date', type: 'date', width: 12 },
  { header: 'active', type: 'boolean', width: 12 },
  { header: 'note', type: 'string', width: 12 },
];
const t0 = performance.now();
const out = createWriteStream(a.out);
let n = 0;
const rows = baseRows(Number(a.rows)) as Iterable<(string | number | boolean | null)[]>;
if (a.format === 'csv') {
  const csv = new CsvWriter(out, columns);
  for (const row of rows) {
    if (row[DATE_COL] !== null) row[DATE_COL] = dayIso(row[DATE_COL]);
    n++;
    const p = csv.writeRow(row);
    if (p) await p;
  }
  await csv.finish();
} else {
  const xlsx = new XlsxWriter(out, { level: Number(a.level) });
  const sheet = await xlsx.addSheet({ name: 'Sheet1', columns, autoFilter: true });
  for (const row of rows) {
    // the generator gives day counts; exports receive ISO dates, so convert like the exceljs anchor does
    if (row[DATE_COL] !== null) row[DATE_COL] = dayIso(row[DATE_COL]);
    n++;
    const p = sheet.writeRow(row);
    if (p) await p;
  }
  await xlsx.finish();
}
process.stdout.write(`RESULT ${JSON.stringify({ rows: n, ms: Math.round(performance.now() - t0) })}\n`);
