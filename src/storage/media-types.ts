/**
 * Content types of the objects sheetdiff stores, by file extension: the local driver reports them
 * on `head`, the remote drivers send them on upload so downloads carry the right type.
 */
const CONTENT_TYPES: Record<string, string> = {
  json: 'application/json',
  ndjson: 'application/x-ndjson',
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  xlsm: 'application/vnd.ms-excel.sheet.macroEnabled.12',
  xls: 'application/vnd.ms-excel',
};

/** The content type of `key` by its extension, or undefined for an unknown one. */
export function contentTypeOf(key: string): string | undefined {
  const dot = key.lastIndexOf('.');
  return dot > key.lastIndexOf('/') ? CONTENT_TYPES[key.slice(dot + 1).toLowerCase()] : undefined;
}
