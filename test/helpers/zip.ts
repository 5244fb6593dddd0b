import { ZipArchive } from '../../src/sheets/xlsx/zip-archive.js';

/** Every entry of a zip file (an xlsx) as UTF-8 text, by entry name. */
export async function readZipEntries(path: string): Promise<Map<string, string>> {
  const zip = await ZipArchive.open(path);
  const out = new Map<string, string>();
  try {
    for (const name of zip.names()) out.set(name, (await zip.readBuffer(name)).toString('utf8'));
  } finally {
    zip.close();
  }
  return out;
}
