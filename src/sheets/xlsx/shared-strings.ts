import { decodeOoxmlText } from './ooxml-text.js';
import { scanXmlPart } from './xml-part.js';
import { decodeXmlText, nameIs, XmlScanner } from './xml-scan.js';
import type { ZipArchive } from './zip-archive.js';

/**
 * Reads the shared string table: one string per `<si>`, the `<t>` texts of plain and rich-text
 * runs (`<r>`) concatenated; phonetic guides (`<rPh>`, furigana) are not part of the value.
 * Uses the hand-written XmlScanner: a 1M-row sheet can have a million shared strings.
 */
export async function readSharedStrings(zip: ZipArchive, part: string, signal?: AbortSignal): Promise<string[]> {
  const out: string[] = [];
  let phonetic = 0;
  const scanner: XmlScanner = new XmlScanner(
    {
      open(s, ns, ne, _end, selfClosing) {
        if (nameIs(s, ns, ne, 't')) scanner.capture = phonetic === 0 && !selfClosing;
        else if (nameIs(s, ns, ne, 'si')) {
          scanner.text = '';
          if (selfClosing) out.push('');
        } else if (nameIs(s, ns, ne, 'rPh') && !selfClosing) phonetic++;
      },
      close(s, ns, ne) {
        if (nameIs(s, ns, ne, 't')) scanner.capture = false;
        else if (nameIs(s, ns, ne, 'si')) out.push(decodeOoxmlText(decodeXmlText(scanner.text, part)));
        else if (nameIs(s, ns, ne, 'rPh')) phonetic--;
      },
    },
    part,
  );
  await scanXmlPart(zip, part, scanner, signal);
  return out;
}
