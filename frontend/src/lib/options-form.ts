/**
 * The key-and-options form as the person edits it, and its translation into the upload's `key`
 * and `options` fields (typed by the API's CompareOptions contract).
 */
import type { CompareOptions } from '../../../src/contracts/index.js';

export interface OptionsForm {
  key: string;
  sheet: string;
  headerRow: number | '';
  trim: boolean;
  collapseWhitespace: boolean;
  ignoreCase: boolean;
  emptyEqualsMissing: boolean;
  numericTolerance: number | '';
  relativeTolerance: number | '';
  excelDates: boolean;
  ignoreColumns: string;
}

/** The defaults: the API's own (first sheet, header row detected, exact comparison). */
export function defaultOptionsForm(): OptionsForm {
  return { key: '', sheet: '', headerRow: '', trim: false, collapseWhitespace: false, ignoreCase: false, emptyEqualsMissing: true, numericTolerance: 0, relativeTolerance: 0, excelDates: false, ignoreColumns: '' };
}

const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);

/** Key columns and the options JSON, leaving out what equals the API default. */
export function toUploadFields(f: OptionsForm): { key: string[]; options: Partial<CompareOptions> } {
  const options: Partial<CompareOptions> = {};
  if (f.sheet.trim()) options.sheet = f.sheet.trim();
  if (typeof f.headerRow === 'number' && f.headerRow >= 1) options.headerRow = f.headerRow;
  if (f.trim) options.trim = true;
  if (f.collapseWhitespace) options.collapseWhitespace = true;
  if (f.ignoreCase) options.ignoreCase = true;
  if (!f.emptyEqualsMissing) options.emptyEqualsMissing = false;
  if (typeof f.numericTolerance === 'number' && f.numericTolerance > 0) options.numericTolerance = f.numericTolerance;
  if (typeof f.relativeTolerance === 'number' && f.relativeTolerance > 0) options.relativeTolerance = Math.min(1, f.relativeTolerance);
  if (f.excelDates) options.excelDates = true;
  const ignore = list(f.ignoreColumns);
  if (ignore.length) options.ignoreColumns = ignore;
  return { key: list(f.key), options };
}
