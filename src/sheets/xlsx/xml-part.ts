import { TextDecoder } from 'node:util';
import { SaxesParser } from 'saxes';
import { AppError, ERRORS } from '../../errors/index.js';
import type { ByteXmlScanner } from './byte-xml.js';
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

// Longest construct (a tag, or a cell the one-step path retries) carried from one chunk to the next.
const MAX_CARRY = 16 << 20;

/**
 * Feeds a {@link ByteXmlScanner} chunk by chunk, whatever the chunk boundaries: the bytes of an
 * unfinished construct are carried (copied in front of the next chunk), nothing else is copied.
 */
export class ChunkFeeder {
  private work = Buffer.allocUnsafe(0);
  private carry = 0;

  constructor(
    private readonly scanner: ByteXmlScanner,
    private readonly part: string,
  ) {}

  /** The next chunk (only read during the call). */
  push(chunk: Uint8Array): void {
    this.feed(chunk, false);
  }

  /** Ends the input: an unfinished construct at the end is dropped. */
  end(): void {
    this.feed(new Uint8Array(0), true);
  }

  private feed(chunk: Uint8Array, final: boolean): void {
    let b = chunk;
    let n = chunk.length;
    const carry = this.carry;
    if (carry > 0) {
      if (this.work.length < carry + n) {
        const w = Buffer.allocUnsafe(carry + n + (n >> 1));
        this.work.copy(w, 0, 0, carry);
        this.work = w;
      }
      this.work.set(chunk, carry);
      b = this.work;
      n += carry;
    }
    const stop = this.scanner.scan(b, n, final);
    this.carry = final ? 0 : n - stop;
    if (this.carry > MAX_CARRY) throw ERRORS.malformedFile(`"${this.part}" holds a tag longer than ${MAX_CARRY >> 20} MiB`, { part: this.part });
    if (this.carry > 0) {
      if (b === this.work) this.work.copyWithin(0, stop, n);
      else {
        if (this.work.length < this.carry) this.work = Buffer.allocUnsafe(Math.max(this.carry, 64 * 1024));
        this.work.set(chunk.subarray(stop, n), 0);
      }
    }
  }
}

/**
 * Streams one XML part of the archive through a {@link ByteXmlScanner} as bytes: UTF-8 as it
 * is, UTF-16 (a part that starts with its BOM) transcoded to UTF-8 first.
 *
 * @throws AppError `dtd_not_allowed`, `malformed_file`, zip limits.
 */
export async function scanXmlPart(zip: ZipArchive, part: string, scanner: ByteXmlScanner, signal?: AbortSignal): Promise<void> {
  // No catch-all here: the scanner throws AppErrors for bad input, zip.read its own; anything
  // else comes from the sink (a failed write, say) and must keep its identity.
  let utf16: TextDecoder | null | undefined;
  const feeder = new ChunkFeeder(scanner, part);
  for await (const raw of zip.read(part, signal)) {
    if (utf16 === undefined) {
      const le = raw[0] === 0xff && raw[1] === 0xfe;
      utf16 = le || (raw[0] === 0xfe && raw[1] === 0xff) ? new TextDecoder(le ? 'utf-16le' : 'utf-16be') : null;
    }
    feeder.push(utf16 ? Buffer.from(utf16.decode(raw, { stream: true }), 'utf8') : raw);
  }
  if (utf16) feeder.push(Buffer.from(utf16.decode(), 'utf8'));
  feeder.end();
}
