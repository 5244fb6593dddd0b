import { builtinDateKind, formatDateKind, NOT_DATE, type DateKind } from '../excel-date.js';
import { parseXmlPart } from './xml-part.js';
import type { ZipArchive } from './zip-archive.js';

/**
 * Reads styles.xml into the date kind of each cell style (`s` attribute = index into
 * `cellXfs`): custom `numFmts` are classified by their format code, built-in ids by the table
 * of built-in date formats.
 */
export async function readDateStyles(zip: ZipArchive, part: string, signal?: AbortSignal): Promise<DateKind[]> {
  const custom = new Map<number, DateKind>();
  const kinds: DateKind[] = [];
  let inCellXfs = false;
  await parseXmlPart(
    zip,
    part,
    {
      open(name, a) {
        if (name === 'numFmt' && a.numFmtId !== undefined) {
          custom.set(Number(a.numFmtId), formatDateKind(a.formatCode ?? ''));
        } else if (name === 'cellXfs') inCellXfs = true;
        else if (name === 'xf' && inCellXfs) {
          const id = Number(a.numFmtId ?? 0);
          kinds.push(custom.get(id) ?? builtinDateKind(id));
        }
      },
      close(name) {
        if (name === 'cellXfs') inCellXfs = false;
      },
    },
    signal,
  );
  return kinds.length ? kinds : [NOT_DATE];
}
