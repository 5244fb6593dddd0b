/**
 * Reads the header and the first rows of a CSV/TSV file in the browser, to offer its columns as
 * keys and to hint which ones are unique. Only a sample is read; the server's comparison (and
 * its key assistant) is the authority.
 */
export interface ColumnSample {
  name: string;
  letter: string;
  distinct: number;
  empty: number;
}

export interface SheetSample {
  columns: ColumnSample[];
  rows: number;
  /** The first column that is unique and never empty in the sample. */
  suggested: string | undefined;
}

/** `A`, `B`, … `Z`, `AA` for a 0-based column index. */
export function columnLetter(i: number): string {
  let s = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

function decode(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    // The cut may split a character; GB18030 is the common non-UTF-8 encoding here.
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, lastNewline(bytes)));
    } catch {
      return new TextDecoder('gb18030').decode(bytes);
    }
  }
}

function lastNewline(bytes: Uint8Array): number {
  const i = bytes.lastIndexOf(0x0a);
  return i < 0 ? bytes.length : i + 1;
}

/** Splits CSV text into rows (quotes, doubled quotes, CRLF); the last partial line is dropped. */
export function parseCsvRows(text: string, delimiter: string, complete: boolean): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === delimiter) {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (complete && (field !== '' || row.length > 0)) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

function sniffDelimiter(line: string): string {
  const counts = [',', ';', '\t', '|'].map((d) => [d, line.split(d).length] as const);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0]![1] > 1 ? counts[0]![0] : ',';
}

/** Samples a CSV/TSV text: header row `headerRow` (1-based), up to `maxRows` data rows. */
export function sampleCsvText(text: string, headerRow = 1, complete = true, maxRows = 2000): SheetSample {
  const headerLine = text.split('\n', headerRow)[headerRow - 1] ?? '';
  const rows = parseCsvRows(text, sniffDelimiter(headerLine), complete);
  const header = rows[headerRow - 1] ?? [];
  const data = rows.slice(headerRow, headerRow + maxRows);
  const columns = header.map((raw, i): ColumnSample => {
    const seen = new Set<string>();
    let empty = 0;
    for (const r of data) {
      const v = (r[i] ?? '').trim();
      if (v === '') empty++;
      else seen.add(v);
    }
    return { name: raw.trim() || columnLetter(i), letter: columnLetter(i), distinct: seen.size, empty };
  });
  const suggested = data.length > 0 ? columns.find((c) => c.empty === 0 && c.distinct === data.length)?.name : undefined;
  return { columns, rows: data.length, suggested };
}

/** Samples the first `bytes` of a CSV/TSV file. */
export async function sampleCsvFile(file: Blob, headerRow = 1, bytes = 256 * 1024): Promise<SheetSample> {
  const buf = new Uint8Array(await file.slice(0, bytes).arrayBuffer());
  return sampleCsvText(decode(buf), headerRow, file.size <= bytes);
}
