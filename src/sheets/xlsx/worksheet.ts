import type { CellValue } from '../../domain/table.js';
import { ERRORS } from '../../errors/index.js';
import { excelSerialToIso, NOT_DATE, type DateKind } from '../excel-date.js';
import { decodeOoxmlText } from './ooxml-text.js';
import { parseXmlPart } from './xml-part.js';
import type { ZipArchive } from './zip-archive.js';

/** What a worksheet's cells refer to. */
export interface SheetContext {
  sharedStrings: readonly string[];
  dateKinds: readonly DateKind[];
  date1904: boolean;
}

// Excel's last column is XFD (16,384 columns).
const MAX_COLUMNS = 16_384;

/** 0-based column of a cell reference such as `AB12`; -1 when it has no letters. */
function refColumn(ref: string): number {
  let n = 0;
  let i = 0;
  for (; i < ref.length; i++) {
    const c = ref.charCodeAt(i) | 32; // lower-case letters
    if (c < 97 || c > 122) break;
    n = n * 26 + (c - 96);
  }
  return i === 0 ? -1 : n - 1;
}

/** `YYYY-MM-DDTHH:MM:SS[.sss][Z]` of a `t="d"` cell in the forms of CellValue. */
function isoDateCell(v: string): string {
  let s = v.trim();
  if (s.endsWith('Z')) s = s.slice(0, -1);
  if (s.endsWith('T00:00:00') || s.endsWith('T00:00:00.000')) s = s.slice(0, s.indexOf('T'));
  return s;
}

/**
 * Streams a worksheet part and hands each row to `onRow` (1-based row number, cells placed by
 * their `r` reference, so sparse rows and columns cost only the cells present; the declared
 * `<dimension>` is never trusted). Cell values: see CellValue (formula cells give their cached
 * value; a date-styled number becomes ISO text).
 */
export async function readWorksheet(
  zip: ZipArchive,
  part: string,
  ctx: SheetContext,
  onRow: (rowNumber: number, cells: CellValue[]) => void,
  signal?: AbortSignal,
): Promise<void> {
  const { sharedStrings, dateKinds, date1904 } = ctx;
  let rowNum = 0;
  let cells: CellValue[] = [];
  let inRow = false;
  let col = 0;
  let nextCol = 0;
  let type = 'n';
  let style = 0;
  let text = '';
  let hasValue = false;
  let capture = false;
  let inInline = false;
  let phonetic = 0;

  const cellValue = (): CellValue => {
    if (!hasValue) return null;
    switch (type) {
      case 's': {
        const s = sharedStrings[Number(text)];
        return s === undefined ? null : s;
      }
      case 'inlineStr':
      case 'str':
        return decodeOoxmlText(text);
      case 'b':
        return text === '1' || text === 'true';
      case 'e':
        return text;
      case 'd':
        return isoDateCell(text);
      default: {
        if (text === '') return null;
        const n = Number(text);
        if (Number.isNaN(n)) return text;
        const kind = dateKinds[style] ?? NOT_DATE;
        return kind === NOT_DATE ? n : excelSerialToIso(n, date1904, kind);
      }
    }
  };

  await parseXmlPart(
    zip,
    part,
    {
      open(name, a) {
        switch (name) {
          case 'c': {
            const r = a.r;
            col = r ? refColumn(r) : nextCol;
            if (col < 0) col = nextCol;
            if (col >= MAX_COLUMNS) throw ERRORS.malformedFile(`Cell ${r} lies beyond Excel's last column`);
            type = a.t ?? 'n';
            style = a.s ? Number(a.s) : 0;
            text = '';
            hasValue = false;
            return;
          }
          case 'v':
            capture = true;
            hasValue = true;
            return;
          case 'is':
            inInline = true;
            hasValue = true;
            return;
          case 't':
            capture = inInline && phonetic === 0;
            return;
          case 'rPh':
            phonetic++;
            return;
          case 'row': {
            const r = a.r ? Number(a.r) : rowNum + 1;
            rowNum = Number.isInteger(r) && r > rowNum ? r : rowNum + 1;
            cells = [];
            nextCol = 0;
            inRow = true;
            return;
          }
        }
      },
      close(name) {
        switch (name) {
          case 'v':
          case 't':
            capture = false;
            return;
          case 'is':
            inInline = false;
            return;
          case 'rPh':
            phonetic--;
            return;
          case 'c': {
            const v = cellValue();
            nextCol = col + 1;
            if (v === null || !inRow) return;
            // push rather than index past the end, to keep the array packed (no holes)
            while (cells.length < col) cells.push(null);
            if (cells.length === col) cells.push(v);
            else cells[col] = v;
            return;
          }
          case 'row':
            inRow = false;
            onRow(rowNum, cells);
            return;
        }
      },
      text(t) {
        if (capture) text += t;
      },
    },
    signal,
  );
}
