import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { keyValues, rowValues, type DiffResult, type RowChange } from '../domain/diff-result.js';
import type { CellValue } from '../domain/table.js';
import { cellText, keyText } from './write/cell-text.js';
import { csvField as field } from './write/csv-writer.js';
import { ChunkedWriter } from './write/stream-write.js';

/** A whole row as a JSON object keyed by column name, without the columns its file lacks. */
function rowJson(result: DiffResult, ch: RowChange, side: 'old' | 'new'): string {
  const values = rowValues(result, ch);
  const obj: Record<string, CellValue> = {};
  result.columns.forEach((c, i) => {
    if ((side === 'new' ? c.newIndex : c.oldIndex) >= 0) obj[c.name] = values[i] ?? null;
  });
  return JSON.stringify(obj);
}

/**
 * Streams the diff as a long-form CSV (UTF-8 with a BOM so Excel opens CJK text correctly,
 * CRLF line ends), header `change,key,column,old,new`:
 *
 * - `changed`: one line per changed cell, with the column name and both values;
 * - `added` / `removed`: one line per row, `column` empty, the whole row as a JSON object in
 *   `new` / `old` (one line per row keeps the file as long as the diff, and JSON keeps types);
 * - `duplicate`: one line per row, its JSON in `old` or `new` by the file it came from.
 *
 * The key is the key value (composite keys joined by ` | `). Every field is protected against
 * formula injection (see neutraliseFormula). The changes are read once, in order, whether held
 * in memory or read back from a change file. Resolves once `out` has finished.
 */
export async function writeDiffCsv(result: DiffResult, out: Writable): Promise<void> {
  const w = new ChunkedWriter(out);
  let p = w.add('\uFEFFchange,key,column,old,new\r\n');
  if (p) await p;
  for (const ch of result.changes) {
    const key = field(keyText(keyValues(result, ch)));
    let lines: string;
    if (ch.type === 'changed') {
      lines = '';
      for (const c of ch.cells) {
        lines += `changed,${key},${field(result.columns[c.column]!.name)},${field(cellText(c.old))},${field(cellText(c.new))}\r\n`;
      }
    } else if (ch.type === 'added' || (ch.type === 'duplicate' && ch.newCells)) {
      lines = `${ch.type},${key},,,${field(rowJson(result, ch, 'new'))}\r\n`;
    } else {
      lines = `${ch.type},${key},,${field(rowJson(result, ch, 'old'))},\r\n`;
    }
    p = w.add(lines);
    if (p) await p;
  }
  await w.flush();
  out.end();
  await finished(out);
}
