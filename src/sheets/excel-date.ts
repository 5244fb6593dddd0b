/** How a number format displays a number: as a date, a time of day, or neither. */
export type DateKind = 0 | 1 | 2;
/** Not a date format. */
export const NOT_DATE: DateKind = 0;
/** A date or date-time format. */
export const DATE: DateKind = 1;
/** A time-of-day format (h, m, s only). */
export const TIME: DateKind = 2;

const DAY_MS = 86_400_000;
// 1899-12-30: day 0 of the 1900 system for serials ≥ 61 (serial 60 is Excel's fictitious
// 1900-02-29, kept from Lotus 1-2-3); serials below 60 are one day later.
const EPOCH_1900 = Date.UTC(1899, 11, 30);
const EPOCH_1904 = Date.UTC(1904, 0, 1);
// 9999-12-31, Excel's last date; larger serials are shown as numbers.
const MAX_SERIAL = 2_958_465;

const CACHE = 1 << 16;
const cacheDays = new Float64Array(CACHE * 2).fill(-1);
const cacheText = new Array<string>(CACHE * 2);

const pad2 = (n: number): string => (n < 10 ? '0' : '') + n;

function timeText(ms: number): string {
  const s = Math.floor(ms / 1000);
  let out = `${pad2(Math.floor(s / 3600))}:${pad2(Math.floor(s / 60) % 60)}:${pad2(s % 60)}`;
  const frac = ms % 1000;
  if (frac) out += '.' + String(frac).padStart(3, '0');
  return out;
}

/**
 * The ISO 8601 text of an Excel date serial (see CellValue for the forms). Serials out of
 * Excel's date range come back unchanged as numbers.
 */
export function excelSerialToIso(serial: number, date1904: boolean, kind: DateKind): string | number {
  if (!Number.isFinite(serial) || serial < 0 || serial >= MAX_SERIAL + 1) return serial;
  let days = Math.floor(serial);
  let ms = Math.round((serial - days) * DAY_MS);
  if (ms >= DAY_MS) {
    days++;
    ms = 0;
  }
  if (kind === TIME && days === 0) return timeText(ms);
  // a sheet holds few distinct days: remember the text of recent ones (direct-mapped)
  const slot = (days & (CACHE - 1)) * 2 + (date1904 ? 1 : 0);
  let date: string;
  if (cacheDays[slot] === days) date = cacheText[slot]!;
  else {
    if (!date1904 && days === 60) date = '1900-02-29';
    else {
      const t = date1904 ? EPOCH_1904 + days * DAY_MS : EPOCH_1900 + (days < 60 ? days + 1 : days) * DAY_MS;
      date = new Date(t).toISOString().slice(0, 10);
    }
    cacheDays[slot] = days;
    cacheText[slot] = date;
  }
  return ms === 0 && kind !== TIME ? date : `${date}T${timeText(ms)}`;
}

// Built-in number formats that are dates or times. 27–36 and 50–58 are the East Asian
// locale built-ins (年月日, 時分秒), which Excel in zh/ja/ko locales writes without a numFmt.
const BUILTIN: ReadonlyMap<number, DateKind> = new Map<number, DateKind>([
  ...[14, 15, 16, 17, 22, 27, 28, 29, 30, 31, 36, 50, 51, 52, 53, 54, 57, 58].map((i) => [i, DATE] as const),
  ...[18, 19, 20, 21, 32, 33, 34, 35, 45, 46, 47, 55, 56].map((i) => [i, TIME] as const),
]);

/** Date kind of a built-in number format id. */
export function builtinDateKind(id: number): DateKind {
  return BUILTIN.get(id) ?? NOT_DATE;
}

/**
 * Date kind of a custom format code: a date when it has d, m or y (a time when only h, m, s)
 * outside quoted text, `[...]` sections (colours, conditions, locales, elapsed time),
 * backslash escapes and AM/PM markers; only the first section (positive numbers) decides.
 */
export function formatDateKind(code: string): DateKind {
  const first = code.split(';', 1)[0] ?? '';
  const bare = first
    .replace(/"[^"]*"/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\\./g, '')
    .replace(/_./g, '')
    .replace(/\*./g, '')
    .toLowerCase();
  const t = bare.replace(/am\/pm|a\/p/g, '');
  if (/[dy]/.test(t)) return DATE;
  if (/[hs]/.test(t)) return TIME;
  return t.includes('m') ? DATE : NOT_DATE;
}
