/** Days between Excel's 1900 epoch (serial 0 = 1899-12-30) and 1970-01-01. */
const EXCEL_EPOCH_DAYS = 25_569;
const MS_PER_DAY = 86_400_000;

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses `YYYY-MM-DD`, optionally with `THH:MM[:SS[.fff]]` and a zone, to milliseconds of the
 * wall-clock time as written (a zone suffix is accepted and not applied: a spreadsheet date
 * has no zone, so `10:00+08:00` shows as 10:00). Returns null for anything else, including
 * impossible dates such as 2023-02-30.
 */
export function parseIsoDate(s: string): number | null {
  if (s.length === 10 && s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45) return plainDay(s);
  const m = ISO.exec(s);
  if (!m) return null;
  const y = +m[1]!;
  const mo = +m[2]!;
  const d = +m[3]!;
  const h = m[4] ? +m[4] : 0;
  const mi = m[5] ? +m[5] : 0;
  const sec = m[6] ? +m[6] : 0;
  const ms = m[7] ? Math.round(+`0.${m[7]}` * 1000) : 0;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59) return null;
  const t = Date.UTC(y, mo - 1, d, h, mi, sec, ms);
  if (new Date(t).getUTCDate() !== d) return null;
  return t;
}

/** Excel 1900-system serial of a wall-clock time given as UTC milliseconds. */
export function excelSerial(ms: number): number {
  return ms / MS_PER_DAY + EXCEL_EPOCH_DAYS;
}

const digit = (s: string, i: number): number => {
  const d = s.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : NaN;
};

/** `YYYY-MM-DD` without the regex (the common case in exports). */
function plainDay(s: string): number | null {
  const y = digit(s, 0) * 1000 + digit(s, 1) * 100 + digit(s, 2) * 10 + digit(s, 3);
  const mo = digit(s, 5) * 10 + digit(s, 6);
  const d = digit(s, 8) * 10 + digit(s, 9);
  if (!(mo >= 1 && mo <= 12 && d >= 1 && d <= 31)) return null;
  const t = Date.UTC(y, mo - 1, d);
  return new Date(t).getUTCDate() === d ? t : null;
}
