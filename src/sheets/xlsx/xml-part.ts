import { TextDecoder } from 'node:util';
import { SaxesParser } from 'saxes';
import { AppError, ERRORS } from '../../errors/index.js';
import type { XmlScanner } from './xml-scan.js';
import type { ZipArchive } from './zip-archive.js';

/** Callbacks of {@link parseXmlPart}; element names come without their namespace prefix. */
export interface XmlHandlers {
  open(name: string, attrs: Record<string, string>): void;
  close?(name: string): void;
  /** Character data (text and CDATA), possibly in several pieces per text node. */
  text?(t: string): void;
}

/** The local part of a qualified name (`x:row` → `row`): files differ in prefixes, not names. */
export function localName(qname: string): string {
  const i = qname.indexOf(':');
  return i < 0 ? qname : qname.slice(i + 1);
}

/** An attribute by local name (`r:id` and `relationships:id` are both `id` with a prefix). */
export function prefixedAttr(attrs: Record<string, string>, local: string): string | undefined {
  for (const k in attrs) if (k.includes(':') && localName(k) === local) return attrs[k];
  return undefined;
}

/**
 * Streams one XML part of the archive through a SAX parser.
 *
 * A document type declaration is refused outright (`dtd_not_allowed`): OOXML never needs one,
 * and it is how entity expansion (billion laughs) and external entities (XXE) get in. Without a
 * DTD no custom entity can be defined, so an entity reference is a well-formedness error.
 *
 * @throws AppError `dtd_not_allowed`, `malformed_file` (not well-formed), zip limits.
 */
export async function parseXmlPart(zip: ZipArchive, part: string, h: XmlHandlers, signal?: AbortSignal): Promise<void> {
  const parser = new SaxesParser({ xmlns: false, position: false });
  parser.on('doctype', () => {
    throw ERRORS.dtdNotAllowed(`"${part}" declares a DTD; documents with a DOCTYPE are refused`, { part });
  });
  parser.on('opentag', (tag) => h.open(localName(tag.name), tag.attributes as Record<string, string>));
  if (h.close) {
    const close = h.close;
    parser.on('closetag', (tag) => close(localName(tag.name)));
  }
  if (h.text) {
    parser.on('text', h.text);
    parser.on('cdata', h.text);
  }
  let decoder: TextDecoder | undefined;
  try {
    for await (const chunk of zip.read(part, signal)) {
      if (!decoder) decoder = new TextDecoder(chunk[0] === 0xff && chunk[1] === 0xfe ? 'utf-16le' : chunk[0] === 0xfe && chunk[1] === 0xff ? 'utf-16be' : 'utf-8');
      parser.write(decoder.decode(chunk, { stream: true }));
    }
    if (decoder) parser.write(decoder.decode());
    parser.close();
  } catch (err) {
    if (err instanceof AppError || signal?.aborted) throw err;
    throw ERRORS.malformedFile(`"${part}" is not well-formed XML: ${(err as Error).message}`, { part });
  }
}

/**
 * Streams one XML part of the archive through an {@link XmlScanner} (text decoded from UTF-8,
 * or UTF-16 when the part starts with its BOM).
 *
 * @throws AppError `dtd_not_allowed`, `malformed_file`, zip limits.
 */
export async function scanXmlPart(zip: ZipArchive, part: string, scanner: XmlScanner, signal?: AbortSignal): Promise<void> {
  let decoder: TextDecoder | undefined;
  try {
    for await (const chunk of zip.read(part, signal)) {
      if (!decoder) decoder = new TextDecoder(chunk[0] === 0xff && chunk[1] === 0xfe ? 'utf-16le' : chunk[0] === 0xfe && chunk[1] === 0xff ? 'utf-16be' : 'utf-8');
      scanner.push(decoder.decode(chunk, { stream: true }));
    }
    if (decoder) scanner.push(decoder.decode());
    scanner.end();
  } catch (err) {
    if (err instanceof AppError || signal?.aborted) throw err;
    throw ERRORS.malformedFile(`Cannot read "${part}": ${(err as Error).message}`, { part });
  }
}
