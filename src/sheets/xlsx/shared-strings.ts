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
      open(s, ns, ne, end, selfClosing) {
        if (nameIs(s, ns, ne, 't')) scanner.capture = phonetic === 0 && !selfClosing;
        else if (nameIs(s, ns, ne, 'si')) {
          scanner.text = '';
          if (selfClosing) {
            out.push('');
            return;
          }
          // the common shape `<si><t>text</t></si>` in one step
          const p = end + 1;
          if (s.startsWith('<t>', p) || s.startsWith('<t xml:space="preserve">', p)) {
            const ts = s.charCodeAt(p + 2) === 62 ? p + 3 : p + 24;
            const te = s.indexOf('<', ts);
            if (te >= 0 && s.startsWith('</t></si>', te)) {
              out.push(decodeOoxmlText(decodeXmlText(s.slice(ts, te), part)));
              return te + 9;
            }
          }
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
