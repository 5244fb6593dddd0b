import { ByteXmlScanner, needsTextDecoding, startsWith } from './byte-xml.js';
import { decodeOoxmlText, rawXmlText } from './ooxml-text.js';
import { scanXmlPart } from './xml-part.js';
import type { ZipArchive } from './zip-archive.js';

const CACHE = 1 << 14;

/**
 * The shared string table, held compactly: every string's UTF-8 bytes (entities and `_xHHHH_`
 * escapes already decoded) back to back in one buffer, plus an end offset per string. A
 * million strings cost their bytes and 4 bytes each, not a JS string each; text is decoded only
 * for the cells a caller turns into values (recent ones are cached), and the diff path copies
 * the bytes straight into its records.
 */
export class SharedStrings {
  private bytes: Buffer;
  private ends = new Int32Array(1024);
  private used = 0;
  /** Number of strings. */
  count = 0;
  private readonly cacheKey = new Int32Array(CACHE).fill(-1);
  private readonly cacheVal = new Array<string>(CACHE).fill('');

  /** `sizeHint`: expected bytes (the part's size is an upper bound for UTF-8 parts). */
  constructor(sizeHint = 0) {
    this.bytes = Buffer.allocUnsafe(Math.max(4096, sizeHint));
  }

  /** The bytes of every string; string `i` is `data[start(i), end(i))`. */
  get data(): Buffer {
    return this.bytes;
  }
  start(i: number): number {
    return i === 0 ? 0 : this.ends[i - 1]!;
  }
  end(i: number): number {
    return this.ends[i]!;
  }

  /** String `i`, or undefined when there is none. */
  get(i: number): string | undefined {
    if (!(i >= 0 && i < this.count) || !Number.isInteger(i)) return undefined;
    const slot = i & (CACHE - 1);
    if (this.cacheKey[slot] === i) return this.cacheVal[slot];
    const s = this.bytes.toString('utf8', this.start(i), this.ends[i]);
    this.cacheKey[slot] = i;
    this.cacheVal[slot] = s;
    return s;
  }

  /** Adds a string given as raw XML character data `b[s, e)` (entities and escapes decoded here). */
  addRaw(b: Uint8Array, s: number, e: number, part: string): void {
    if (needsTextDecoding(b, s, e)) return this.addString(decodeOoxmlText(rawXmlText(b, s, e, part)));
    this.reserve(e - s);
    const out = this.bytes;
    let n = this.used;
    for (let i = s; i < e; i++) out[n++] = b[i]!;
    this.used = n;
    this.push();
  }

  /** Adds a decoded string. */
  addString(str: string): void {
    this.reserve(str.length * 3);
    this.used += this.bytes.write(str, this.used);
    this.push();
  }

  private reserve(n: number): void {
    if (this.used + n <= this.bytes.length) return;
    const b = Buffer.allocUnsafe(Math.max(this.used + n, this.bytes.length * 2));
    this.bytes.copy(b, 0, 0, this.used);
    this.bytes = b;
  }

  private push(): void {
    if (this.count === this.ends.length) {
      const e = new Int32Array(this.ends.length * 2);
      e.set(this.ends);
      this.ends = e;
    }
    this.ends[this.count++] = this.used;
  }
}

const T_OPEN = Uint8Array.from('<t>', (c) => c.charCodeAt(0));
const T_PRESERVE = Uint8Array.from('<t xml:space="preserve">', (c) => c.charCodeAt(0));
const T_SI_END = Uint8Array.from('</t></si>', (c) => c.charCodeAt(0));
// A one-step string not finished in the bytes at hand is retried with more when it started this close to their end.
const RETRY = 64 * 1024;

/** `<si>` elements into a SharedStrings: `<t>` texts of plain and rich-text runs, phonetic guides skipped. */
class SstScanner extends ByteXmlScanner {
  private phonetic = 0;

  constructor(
    private readonly out: SharedStrings,
    part: string,
  ) {
    super(part);
  }

  protected open(b: Uint8Array, ns: number, ne: number, gt: number, selfClosing: boolean, lt: number, n: number, final: boolean): number {
    const len = ne - ns;
    const c0 = b[ns];
    if (len === 2 && c0 === 115 /* s */ && b[ns + 1] === 105 /* i */) {
      this.text.len = 0;
      if (selfClosing) {
        this.out.addString('');
        return 0;
      }
      // the common shape `<si><t>text</t></si>` in one step
      const p = gt + 1;
      const ts = startsWith(b, p, n, T_OPEN) ? p + 3 : startsWith(b, p, n, T_PRESERVE) ? p + 24 : -1;
      if (ts >= 0) {
        let te = ts;
        while (te < n && b[te] !== 60) te++;
        if (startsWith(b, te, n, T_SI_END)) {
          this.out.addRaw(b, ts, te, this.part);
          return te + 9;
        }
        if (te + 9 > n && !final && n - lt < RETRY) return -1;
      } else if (p + 24 > n && !final) return -1;
    } else if (len === 1 && c0 === 116 /* t */) this.capture = this.phonetic === 0 && !selfClosing;
    else if (len === 3 && c0 === 114 && b[ns + 1] === 80 && b[ns + 2] === 104 /* rPh */ && !selfClosing) this.phonetic++;
    return 0;
  }

  protected close(b: Uint8Array, ns: number, ne: number): void {
    const len = ne - ns;
    const c0 = b[ns];
    if (len === 1 && c0 === 116) this.capture = false;
    else if (len === 2 && c0 === 115 && b[ns + 1] === 105) this.out.addRaw(this.text.buf, 0, this.text.len, this.part);
    else if (len === 3 && c0 === 114 && b[ns + 1] === 80 && b[ns + 2] === 104) this.phonetic--;
  }
}

/**
 * Reads the shared string table: one string per `<si>`, the `<t>` texts of plain and rich-text
 * runs (`<r>`) concatenated; phonetic guides (`<rPh>`, furigana) are not part of the value.
 */
export async function readSharedStrings(zip: ZipArchive, part: string, signal?: AbortSignal): Promise<SharedStrings> {
  const out = new SharedStrings(Math.min(zip.entrySize(part), 1 << 30));
  await scanXmlPart(zip, part, new SstScanner(out, part), signal);
  return out;
}
