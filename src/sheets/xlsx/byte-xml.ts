import { ERRORS } from '../../errors/index.js';

const LT = 60;
const GT = 62;
const SLASH = 47;
const COLON = 58;
const QUOT = 34;
const APOS = 39;
const AMP = 38;
// Longest text one element may hold: Excel's own cell limit is 32,767 characters.
const MAX_TEXT = 32 << 20;

/** Growable byte buffer for the character data of one element (raw: entities not decoded). */
export class TextBytes {
  buf = new Uint8Array(4096);
  len = 0;

  constructor(private readonly part: string) {}

  /** Appends `b[s, e)`; with `cdata`, `&` is written as `&amp;` so entity decoding restores it. */
  append(b: Uint8Array, s: number, e: number, cdata = false): void {
    const need = this.len + (cdata ? (e - s) * 5 : e - s);
    if (need > this.buf.length) this.grow(need);
    let n = this.len;
    const out = this.buf;
    for (let i = s; i < e; i++) {
      const c = b[i]!;
      out[n++] = c;
      if (cdata && c === AMP) {
        out[n++] = 97; // amp;
        out[n++] = 109;
        out[n++] = 112;
        out[n++] = 59;
      }
    }
    this.len = n;
  }

  private grow(need: number): void {
    if (need > MAX_TEXT) throw ERRORS.malformedFile(`"${this.part}" holds an element with more than ${MAX_TEXT >> 20} MiB of text`, { part: this.part });
    const b = new Uint8Array(Math.max(need, this.buf.length * 2));
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }
}

/**
 * A streaming tag scanner over UTF-8 bytes for the XML of workbook parts: no strings for names,
 * no attribute objects, text bytes collected only while {@link capture} is set. Subclasses see
 * each tag through {@link open} and {@link close} and may consume what follows a start tag
 * themselves (the worksheet's one-step cell path).
 *
 * Comments, processing instructions and CDATA are handled; a DOCTYPE is refused
 * (`dtd_not_allowed`), which also shuts out entity expansion and external entities. It does not
 * validate: malformed markup yields fewer or odd values, never a hang (every step advances) or
 * unbounded memory (only an unfinished tag is carried between chunks, at most 16 MiB).
 */
export abstract class ByteXmlScanner {
  /** When true, character data is appended to {@link text}. */
  protected capture = false;
  protected readonly text: TextBytes;

  constructor(protected readonly part: string) {
    this.text = new TextBytes(part);
  }

  /**
   * A start tag whose local name is `b[ns, ne)` and whose attributes end at `gt` (the `/` of a
   * self-closing tag, else the `>`). `lt` is where the tag starts and `n` where the bytes end.
   * Returns where scanning resumes: `> gt` when it consumed more, -1 to be called again from
   * `lt` with more bytes (never when `final`), anything else to resume right after the tag.
   */
  protected abstract open(b: Uint8Array, ns: number, ne: number, gt: number, selfClosing: boolean, lt: number, n: number, final: boolean): number;
  /** An end tag whose local name is `b[ns, ne)`. */
  protected abstract close(b: Uint8Array, ns: number, ne: number): void;

  /**
   * Scans `b[0, n)` and returns where it stopped: `n`, or the start of an unfinished construct
   * the caller carries into the next call. With `final` the bytes are the last ones.
   */
  scan(b: Uint8Array, n: number, final: boolean): number {
    let pos = 0;
    for (;;) {
      let lt = pos;
      while (lt < n && b[lt] !== LT) lt++;
      if (this.capture && lt > pos) this.text.append(b, pos, lt);
      if (lt + 1 >= n) return lt >= n ? n : lt;
      const c1 = b[lt + 1]!;
      if (c1 === 33 /* ! */) {
        if (startsWith(b, lt, n, COMMENT)) {
          const e = indexOfSeq(b, lt + 4, n, COMMENT_END);
          if (e < 0) return lt;
          pos = e + 3;
        } else if (startsWith(b, lt, n, CDATA)) {
          const e = indexOfSeq(b, lt + 9, n, CDATA_END);
          if (e < 0) return lt;
          if (this.capture) this.text.append(b, lt + 9, e, true);
          pos = e + 3;
        } else {
          if (lt + 9 > n) return lt;
          if (startsWith(b, lt, n, DOCTYPE)) {
            throw ERRORS.dtdNotAllowed(`"${this.part}" declares a DTD; documents with a DOCTYPE are refused`, { part: this.part });
          }
          const e = b.indexOf(GT, lt);
          if (e < 0 || e >= n) return lt;
          pos = e + 1;
        }
        continue;
      }
      if (c1 === 63 /* ? */) {
        const e = indexOfSeq(b, lt + 2, n, PI_END);
        if (e < 0) return lt;
        pos = e + 2;
        continue;
      }
      const closing = c1 === SLASH;
      let ns = closing ? lt + 2 : lt + 1;
      let ne = ns;
      for (; ne < n; ne++) {
        const c = b[ne]!;
        if (c === 32 || c === GT || c === SLASH || c === 10 || c === 9 || c === 13) break;
        if (c === COLON) ns = ne + 1;
      }
      const gt = tagEnd(b, ne, n);
      if (gt < 0) return lt;
      if (closing) {
        this.close(b, ns, ne);
        pos = gt + 1;
        continue;
      }
      const selfClosing = b[gt - 1] === SLASH && gt - 1 >= ne;
      const resume = this.open(b, ns, ne, selfClosing ? gt - 1 : gt, selfClosing, lt, n, final);
      if (resume < 0) return lt;
      pos = resume > gt ? resume : gt + 1;
    }
  }
}

const bytes = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const COMMENT = bytes('<!--');
const COMMENT_END = bytes('-->');
const CDATA = bytes('<![CDATA[');
const CDATA_END = bytes(']]>');
const DOCTYPE = bytes('<!DOCTYPE');
const PI_END = bytes('?>');

/** True when `b[p, n)` starts with `pat`. */
export function startsWith(b: Uint8Array, p: number, n: number, pat: Uint8Array): boolean {
  if (p + pat.length > n) return false;
  for (let i = 0; i < pat.length; i++) if (b[p + i] !== pat[i]) return false;
  return true;
}

function indexOfSeq(b: Uint8Array, from: number, n: number, pat: Uint8Array): number {
  const first = pat[0]!;
  for (let i = from; i + pat.length <= n; i++) if (b[i] === first && startsWith(b, i, n, pat)) return i;
  return -1;
}

/** The first `>` outside quotes at or after `p`; -1 when the tag does not end before `n`. */
function tagEnd(b: Uint8Array, p: number, n: number): number {
  let q = 0;
  for (let i = p; i < n; i++) {
    const c = b[i]!;
    if (q !== 0) {
      if (c === q) q = 0;
    } else if (c === GT) return i;
    else if (c === QUOT || c === APOS) q = c;
  }
  return -1;
}

/** True when the local name `b[ns, ne)` is the ASCII `name`. */
export function nameIs(b: Uint8Array, ns: number, ne: number, name: string): boolean {
  if (ne - ns !== name.length) return false;
  for (let i = 0; i < name.length; i++) if (b[ns + i] !== name.charCodeAt(i)) return false;
  return true;
}

/**
 * Walks the attributes of a start tag in `b[i, end)`. Each {@link next} call moves to the next
 * attribute: `vs`/`ve` hold its value range, and it returns the char code of a one-letter local
 * name (0 for longer names), or -1 when there is none left (or the markup is broken).
 */
export class AttrWalker {
  vs = 0;
  ve = 0;
  /** Local name range of the last attribute. */
  ns = 0;
  ne = 0;

  next(b: Uint8Array, i: number, end: number): number {
    let eq = i;
    while (eq < end && b[eq] !== 61 /* = */) eq++;
    if (eq >= end) return -1;
    let ne = eq;
    while (ne > i && b[ne - 1]! <= 32) ne--;
    let ns = ne;
    while (ns > i && b[ns - 1]! > 32 && b[ns - 1] !== COLON) ns--;
    let v = eq + 1;
    while (v < end && b[v]! <= 32) v++;
    const q = b[v];
    if (q !== QUOT && q !== APOS) return -1;
    let ve = v + 1;
    while (ve < end && b[ve] !== q) ve++;
    if (ve >= end) return -1;
    this.vs = v + 1;
    this.ve = ve;
    this.ns = ns;
    this.ne = ne;
    return ne - ns === 1 ? b[ns]! : 0;
  }
}

/** True when `b[s, e)` holds an `&` (an entity to decode) or `_x` (an OOXML escape). */
export function needsTextDecoding(b: Uint8Array, s: number, e: number): boolean {
  for (let i = s; i < e; i++) {
    const c = b[i]!;
    if (c === AMP || (c === 95 /* _ */ && b[i + 1] === 120 /* x */ && i + 1 < e)) return true;
  }
  return false;
}
