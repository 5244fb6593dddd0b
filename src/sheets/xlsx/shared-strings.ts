import { decodeOoxmlText } from './ooxml-text.js';
import { parseXmlPart } from './xml-part.js';
import type { ZipArchive } from './zip-archive.js';

/**
 * Reads the shared string table: one string per `<si>`, the `<t>` texts of plain and rich-text
 * runs (`<r>`) concatenated; phonetic guides (`<rPh>`, furigana) are not part of the value.
 */
export async function readSharedStrings(zip: ZipArchive, part: string, signal?: AbortSignal): Promise<string[]> {
  const out: string[] = [];
  let cur = '';
  let inT = false;
  let phonetic = 0;
  await parseXmlPart(
    zip,
    part,
    {
      open(name) {
        if (name === 't') inT = phonetic === 0;
        else if (name === 'si') cur = '';
        else if (name === 'rPh') phonetic++;
      },
      close(name) {
        if (name === 't') inT = false;
        else if (name === 'si') out.push(decodeOoxmlText(cur));
        else if (name === 'rPh') phonetic--;
      },
      text(t) {
        if (inT) cur += t;
      },
    },
    signal,
  );
  return out;
}
