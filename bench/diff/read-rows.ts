// Reads every row of one sheet through the service's reader without building a table and
// prints `RESULT {"rows":…,"cells":…,"ms":…}` (the shape of ../shared/bench's read anchors).
//   node dist/bench/diff/read-rows.js FILE
import { formatFromName, readRows } from '../../src/sheets/read-table.js';

const file = process.argv[2];
if (!file) {
  console.error('usage: read-rows FILE');
  process.exit(2);
}
const t0 = performance.now();
let rows = 0;
let cells = 0;
await readRows(file, formatFromName(file), { maxRows: Number.MAX_SAFE_INTEGER }, (_n, c) => {
  rows++;
  cells += c.length;
});
console.log(`RESULT ${JSON.stringify({ rows, cells, ms: Math.round(performance.now() - t0) })}`);
