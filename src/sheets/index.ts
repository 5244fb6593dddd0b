/** Spreadsheet codecs: files ⇄ Table (readers) and DiffResult → XLSX/CSV (streaming writers). */
export { readTable, type ReadTableOptions, type SheetFormat } from './read-table.js';
export { writeDiffXlsx, type DiffMeta } from './write-diff-xlsx.js';
export { writeDiffCsv } from './write-diff-csv.js';
export { DEFAULT_ZIP_LIMITS, type ZipLimits } from './xlsx/zip-archive.js';
