import { stat } from 'node:fs/promises';
import { sniffContainer } from '../container.js';
import type { SheetFormat } from '../read-table.js';
import { ZipArchive } from '../xlsx/zip-archive.js';

/**
 * Bytes the keyed engine is expected to hold for one input, to decide up front whether a diff
 * spills to partitions. CSV, TSV and xls: the file's size (rows are held about as large as
 * their text). A zip (xlsx/xlsm): from its central directory, a quarter of the largest XML part
 * (the worksheet: a record is far smaller than the markup that carries it) plus half the shared
 * strings part; four times the file when the directory cannot be read (the reader then says
 * why). The diff also spills when what it really holds passes the limit, so a low estimate
 * costs time, not memory.
 */
export async function heldEstimate(path: string, format: SheetFormat): Promise<number> {
  const size = (await stat(path)).size;
  if (format === 'csv' || format === 'tsv' || format === 'xls' || (await sniffContainer(path)) !== 'zip') return size;
  let zip: ZipArchive | undefined;
  try {
    zip = await ZipArchive.open(path);
    let sheet = 0;
    let strings = 0;
    for (const name of zip.names()) {
      const n = name.toLowerCase();
      if (!n.endsWith('.xml')) continue;
      if (n.endsWith('sharedstrings.xml')) strings = Math.max(strings, zip.entrySize(name));
      else sheet = Math.max(sheet, zip.entrySize(name));
    }
    return Math.ceil(sheet / 4 + strings / 2);
  } catch {
    return size * 4;
  } finally {
    zip?.close();
  }
}
