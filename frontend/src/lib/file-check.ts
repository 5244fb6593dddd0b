/**
 * Checks a picked file before it is sent, on its name, size and first bytes, so the common
 * mistakes (too large, not a spreadsheet, a password-protected workbook) are explained at once.
 * The server checks again; its answer is shown the same way.
 */
export type FileProblem = 'tooLarge' | 'unsupported' | 'passwordProtected' | 'empty';

const EXTENSIONS = ['xlsx', 'xlsm', 'xls', 'csv', 'tsv', 'txt'];
const ZIP = [0x50, 0x4b, 0x03, 0x04];
const CFB = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

const startsWith = (head: Uint8Array, magic: number[]) => magic.every((b, i) => head[i] === b);

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/**
 * Classifies a file from its name, size and first bytes: an OOXML name (`.xlsx`/`.xlsm`) on an
 * OLE2 compound file is how Office stores a password-protected workbook; binary content that is
 * neither zip nor OLE2 is not a spreadsheet.
 */
export function classifyFile(name: string, size: number, head: Uint8Array, maxBytes: number | undefined): FileProblem | null {
  if (size === 0) return 'empty';
  if (maxBytes !== undefined && size > maxBytes) return 'tooLarge';
  const ext = extensionOf(name);
  if (!EXTENSIONS.includes(ext)) return 'unsupported';
  if ((ext === 'xlsx' || ext === 'xlsm') && startsWith(head, CFB)) return 'passwordProtected';
  if ((ext === 'xlsx' || ext === 'xlsm') && !startsWith(head, ZIP)) return 'unsupported';
  const isText = ext === 'csv' || ext === 'tsv' || ext === 'txt';
  if (isText && (startsWith(head, ZIP) || startsWith(head, CFB))) return null; // misnamed workbook: the server sniffs it
  return null;
}

/** Reads the first bytes of a file. */
export async function readHead(file: Blob, n = 4096): Promise<Uint8Array> {
  return new Uint8Array(await file.slice(0, n).arrayBuffer());
}

/** The upload limit the serving API wrote into the page, if any. */
export function pageUploadLimit(doc: Document = document): number | undefined {
  const raw = doc.querySelector('meta[name="sheetdiff-max-upload-bytes"]')?.getAttribute('content') ?? '';
  const n = Number(raw);
  return raw && Number.isSafeInteger(n) && n > 0 ? n : undefined;
}
