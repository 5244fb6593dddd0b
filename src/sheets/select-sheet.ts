import { ERRORS } from '../errors/index.js';

/**
 * Index of the sheet to read: the first when `wanted` is not given, else the sheet of that
 * name (exact match first, then trimmed and case-insensitive).
 *
 * @throws AppError `sheet_not_found` listing the available sheets.
 */
export function selectSheet(names: readonly string[], wanted: string | undefined): number {
  if (names.length === 0) throw ERRORS.emptySheet('The workbook has no sheets');
  if (wanted === undefined || wanted === '') return 0;
  const i = findSheet(names, wanted);
  if (i < 0) {
    throw ERRORS.sheetNotFound(`Sheet "${wanted}" was not found; available sheets: ${names.join(', ')}`, {
      sheet: wanted,
      available: [...names],
    });
  }
  return i;
}

/** Index of the sheet named `wanted` (exact match first, then trimmed and case-insensitive); -1 when none. */
export function findSheet(names: readonly string[], wanted: string): number {
  const i = names.indexOf(wanted);
  if (i >= 0) return i;
  const w = wanted.trim().toLowerCase();
  return names.findIndex((n) => n.trim().toLowerCase() === w);
}
