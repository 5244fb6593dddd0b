/** Spreadsheets for the end-to-end tests: two versions of a 10k-row product list. */

export interface Pair {
  old: string;
  new: string;
  expected: { added: number; removed: number; changed: number };
}

const CITIES = ['Shanghai', 'Beijing', 'Shenzhen', 'Hangzhou', 'Chengdu', '广州', '南京'];

/**
 * `rows` rows keyed by `id`; the new file drops every 97th row, changes `qty` on every 31st
 * (that is not dropped) and appends `rows / 100` new ids.
 */
export function productLists(rows: number): Pair {
  const header = 'id,name,city,qty,price';
  const line = (i: number, qty: number) => `${i},Product ${i},${CITIES[i % CITIES.length]},${qty},${(i % 500) + 0.5}`;
  const oldLines = [header];
  const newLines = [header];
  let removed = 0;
  let changed = 0;
  for (let i = 1; i <= rows; i++) {
    oldLines.push(line(i, i % 50));
    if (i % 97 === 0) {
      removed++;
      continue;
    }
    if (i % 31 === 0) {
      changed++;
      newLines.push(line(i, (i % 50) + 1));
    } else newLines.push(line(i, i % 50));
  }
  const added = Math.floor(rows / 100);
  for (let i = 1; i <= added; i++) newLines.push(line(rows + i, 7));
  return { old: `${oldLines.join('\n')}\n`, new: `${newLines.join('\n')}\n`, expected: { added, removed, changed } };
}
