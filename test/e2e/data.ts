/** Spreadsheets for the end-to-end tests: two versions of a product list. */

export interface Pair {
  old: string;
  new: string;
  expected: { added: number; removed: number; changed: number };
}

const CITIES = ['Shanghai', 'Beijing', 'Shenzhen', 'Hangzhou', 'Chengdu', '广州', '南京'];

/** A product row: `id,name,city,qty,price`. */
export const productLine = (i: number, qty: number) => `${i},Product ${i},${CITIES[i % CITIES.length]},${qty},${(i % 500) + 0.5}`;

/**
 * `rows` rows keyed by `id`; the new file drops every 97th row, changes `qty` (+1) on every
 * `changeEvery`-th row that is not dropped, and appends `rows / 100` new ids. The diff lists
 * the changes in the new file's order: kept and changed rows by id, the added ones last.
 */
export function productLists(rows: number, changeEvery = 31): Pair {
  const header = 'id,name,city,qty,price';
  const oldLines = [header];
  const newLines = [header];
  let removed = 0;
  let changed = 0;
  for (let i = 1; i <= rows; i++) {
    oldLines.push(productLine(i, i % 50));
    if (i % 97 === 0) {
      removed++;
      continue;
    }
    if (i % changeEvery === 0) {
      changed++;
      newLines.push(productLine(i, (i % 50) + 1));
    } else newLines.push(productLine(i, i % 50));
  }
  const added = Math.floor(rows / 100);
  for (let i = 1; i <= added; i++) newLines.push(productLine(rows + i, 7));
  return { old: `${oldLines.join('\n')}\n`, new: `${newLines.join('\n')}\n`, expected: { added, removed, changed } };
}
