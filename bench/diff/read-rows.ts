// Reads every row of one sheet through the service's reader without building a table and
// prints `RESULT {"rows":…,"cells":…,"ms":…}` (the shape of ../shared/bench's read anchors).
//   node dist/bench/diff/read-rows.js FILE [--strings-mb N]
// (--strings-mb: the shared strings' memory budget, e.g. 1 to measure the table on disk)
import { formatFromName, readRows } from '../../src/sheets/read-table.js';

const [file, flag, mb] = process.argv.slice(2);
if (!file || (flag !== undefined && (flag !== '--strings-mb' || !(Number(mb) > 0)))) {
  console.error('usage: read-rows FILE [--strings-mb N]');
  process.exit(2);
}
const t0 = performance.now();
let rows = 0;
let cells = 0;
await readRows(file, formatFromName(file), { maxRows: Number.MAX_SAFE_INTEGER, ...(mb && { sharedStringsBytes: Number(mb) * 2 ** 20 }) }, (_n, c) => {
  rows++;
  cells += c.length;
});
console.log(`RESULT ${JSON.stringify({ rows, cells, ms: Math.round(performance.now() - t0) })}`);
