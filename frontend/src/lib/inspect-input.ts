/**
 * What the key assistant is sent for a file. Workbooks go whole (the server reads them
 * streaming); a large CSV/TSV goes as its first `maxBytes`, cut at a line end, so checking the
 * columns of a big text file does not mean uploading it twice. The report then covers those
 * first rows, which the page says.
 */
import { extensionOf } from './file-check.js';

/** Text files above this size are sampled. @defaultValue 4 MiB */
export const INSPECT_SAMPLE_BYTES = 4 * 1024 * 1024;

export interface InspectInput {
  blob: Blob;
  /** True when only the start of the file is sent. */
  sampled: boolean;
}

/** The part of `file` to send to POST /compare/inspect. */
export async function inspectInput(file: File, maxBytes = INSPECT_SAMPLE_BYTES): Promise<InspectInput> {
  if (file.size <= maxBytes || !['csv', 'tsv', 'txt'].includes(extensionOf(file.name))) return { blob: file, sampled: false };
  const head = new Uint8Array(await file.slice(0, maxBytes).arrayBuffer());
  const lineEnd = head.lastIndexOf(0x0a);
  return { blob: file.slice(0, lineEnd > 0 ? lineEnd + 1 : maxBytes), sampled: true };
}
