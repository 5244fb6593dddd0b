// Converts a table made by ../shared/bench/gen.mjs from CSV to xlsx with exceljs's streaming
// writer (shared strings, typed cells: numbers, booleans, dates with a date format), so the
// diff benchmark can read the same data as xlsx.
//   node bench/diff/csv-to-xlsx.mjs IN.csv OUT.xlsx
// (exceljs comes from ../shared/bench, or from the directory in BENCH_ANCHORS)
import { createRequire } from 'node:module';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const shared = process.env.BENCH_ANCHORS ? join(process.env.BENCH_ANCHORS, 'package.json') : fileURLToPath(new URL('../../../shared/bench/package.json', import.meta.url));
const ExcelJS = createRequire(shared)('exceljs');
const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node bench/diff/csv-to-xlsx.mjs IN.csv OUT.xlsx (needs `npm install` in ../shared/bench)');
  process.exit(2);
}
const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: output, useSharedStrings: true, useStyles: true });
const ws = wb.addWorksheet('Sheet1');
let header;
const typed = (h, v) => {
  if (v === '') return null;
  if (h === 'id' || h === 'qty' || h === 'price' || h === 'delta') return Number(v);
  if (h === 'active') return v === 'true';
  if (h === 'date') return new Date(`${v}T00:00:00Z`);
  return v;
};
for await (const line of createInterface({ input: createReadStream(input), crlfDelay: Infinity })) {
  const f = line.split(',');
  if (!header) {
    header = f;
    ws.columns = header.map((h) => ({ header: h, key: h, ...(h === 'date' ? { style: { numFmt: 'yyyy-mm-dd' } } : {}) }));
    continue;
  }
  ws.addRow(f.map((v, i) => typed(header[i], v))).commit();
}
ws.commit();
await wb.commit();
