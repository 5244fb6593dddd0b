import { ERRORS } from '../../errors/index.js';

const GT = 62;
const SLASH = 47;
const COLON = 58;
const QUOT = 34;
const APOS = 39;

/** What a {@link XmlScanner} reports; positions index the string `s` passed along. */
export interface XmlTagHandler {
  /**
   * An opening (or self-closing) tag; the local name is `s[ns, ne)`, attributes run to `end`.
   * May consume what follows the tag itself and return where scanning resumes; any other
   * return value resumes right after the tag.
   */
  open(s: string, ns: number, ne: number, end: number, selfClosing: boolean): number | void;
  /** A closing tag; the local name is `s[ns, ne)`. */
  close(s: string, ns: number, ne: number): void;
}

const isNameEnd = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13 || c === SLASH || c === GT;

/**
 * A hand-written streaming tag scanner for the XML of workbook parts: `indexOf` jumps from tag
 * to tag, no attribute objects, no strings for names. Text is collected only while the handler
 * sets {@link capture}, raw (entities decoded by the handler with {@link decodeXmlText}).
 * Comments, processing instructions and CDATA are handled; a DOCTYPE is refused
 * (`dtd_not_allowed`), which also shuts out entity expansion and external entities.
 *
 * It does not validate: malformed markup yields fewer or odd cells, never a hang (every step
 * advances) or unbounded memory (only an unfinished tag is carried between chunks).
 */
export class XmlScanner {
  /** When true, character data is appended to {@link text}. */
  capture = false;
  text = '';
  private carry = '';

  constructor(
    private readonly h: XmlTagHandler,
    private readonly part: string,
  ) {}

  /** Feeds the next piece of decoded text. */
  push(chunk: string): void {
    let s = chunk;
    if (this.carry.length) {
      s = this.carry + chunk;
      // flattens the concatenation once, so the scan's charCodeAt calls read a flat string
    }
    const stop = this.scan(s);
    this.carry = stop < s.length ? s.slice(stop) : '';
    if (this.carry.length > 16 << 20) throw ERRORS.malformedFile(`"${this.part}" holds a tag longer than 16 MiB`, { part: this.part });
  }

  /** Ends the input (an unfinished tag at the end is dropped). */
  end(): void {
    this.carry = '';
  }

  // Returns where scanning stopped: s.length, or the start of an unfinished construct.
  private scan(s: string): number {
    const n = s.length;
    const h = this.h;
    let pos = 0;
    for (;;) {
      const lt = s.indexOf('<', pos);
      if (lt < 0) {
        if (this.capture && pos < n) this.text += s.slice(pos);
        return n;
      }
      if (this.capture && lt > pos) this.text += s.slice(pos, lt);
      if (lt + 1 >= n) return lt;
      const c1 = s.charCodeAt(lt + 1);
      if (c1 === 33 /* ! */) {
        if (s.startsWith('<!--', lt)) {
          const e = s.indexOf('-->', lt + 4);
          if (e < 0) return lt;
          pos = e + 3;
        } else if (s.startsWith('<![CDATA[', lt)) {
          const e = s.indexOf(']]>', lt + 9);
          if (e < 0) return lt;
          // kept raw; '&' re-escaped so the handler's entity decoding restores it as written
          if (this.capture) this.text += s.slice(lt + 9, e).replaceAll('&', '&amp;');
          pos = e + 3;
        } else {
          if (lt + 9 > n) return lt;
          if (s.startsWith('<!DOCTYPE', lt)) {
            throw ERRORS.dtdNotAllowed(`"${this.part}" declares a DTD; documents with a DOCTYPE are refused`, { part: this.part });
          }
          const e = s.indexOf('>', lt);
          if (e < 0) return lt;
          pos = e + 1;
        }
        continue;
      }
      if (c1 === 63 /* ? */) {
        const e = s.indexOf('?>', lt + 2);
        if (e < 0) return lt;
        pos = e + 2;
        continue;
      }
      let gt = s.indexOf('>', lt + 1);
      if (gt < 0) return lt;
      if (c1 === SLASH) {
        let ns = lt + 2;
        let ne = ns;
        while (ne < gt && !isNameEnd(s.charCodeAt(ne))) {
          if (s.charCodeAt(ne) === COLON) ns = ne + 1;
          ne++;
        }
        h.close(s, ns, ne);
        pos = gt + 1;
        continue;
      }
      let ns = lt + 1;
      let ne = ns;
      while (ne < gt && !isNameEnd(s.charCodeAt(ne))) {
        if (s.charCodeAt(ne) === COLON) ns = ne + 1;
        ne++;
      }
      // a '>' inside a quoted attribute value does not end the tag
      if (ne < gt) {
        gt = tagEnd(s, ne, gt);
        if (gt < 0) return lt;
      }
      const selfClosing = s.charCodeAt(gt - 1) === SLASH;
      const resume = h.open(s, ns, ne, selfClosing ? gt - 1 : gt, selfClosing);
      pos = typeof resume === 'number' && resume > gt ? resume : gt + 1;
    }
  }
}

// The first '>' outside quotes at or after `p` (attributes of a start tag); -1 if unfinished.
function tagEnd(s: string, p: number, gt: number): number {
  let q = 0;
  const n = s.length;
  for (let i = p; i < n; i++) {
    const c = s.charCodeAt(i);
    if (q !== 0) {
      if (c === q) q = 0;
    } else if (c === GT) return i;
    else if (c === QUOT || c === APOS) q = c;
  }
  return gt < 0 ? -1 : -1;
}

/**
 * Finds attribute `local` (without prefix) in `s[p, end)` and returns the start of its value
 * (after the quote) and its end in `out`; false when absent.
 */
export function findAttr(s: string, p: number, end: number, local: string, out: { start: number; end: number }): boolean {
  let i = p;
  while (i < end) {
    const eq = s.indexOf('=', i);
    if (eq < 0 || eq >= end) return false;
    let ne = eq;
    while (ne > i && s.charCodeAt(ne - 1) <= 32) ne--;
    let ns = ne;
    while (ns > i && s.charCodeAt(ns - 1) > 32 && s.charCodeAt(ns - 1) !== COLON) ns--;
    let v = eq + 1;
    while (v < end && s.charCodeAt(v) <= 32) v++;
    const q = s.charCodeAt(v);
    if (q !== QUOT && q !== APOS) return false;
    const ve = s.indexOf(q === QUOT ? '"' : "'", v + 1);
    if (ve < 0 || ve > end) return false;
    if (ne - ns === local.length && s.startsWith(local, ns)) {
      out.start = v + 1;
      out.end = ve;
      return true;
    }
    i = ve + 1;
  }
  return false;
}

/** True when the local name `s[ns, ne)` is `name`. */
export function nameIs(s: string, ns: number, ne: number, name: string): boolean {
  return ne - ns === name.length && s.startsWith(name, ns);
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function entity(e: string): string | undefined {
  if (e.charCodeAt(0) !== 35) return NAMED[e];
  const hex = e.charCodeAt(1) === 120;
  const digits = e.slice(hex ? 2 : 1);
  if (!(hex ? /^[0-9a-fA-F]{1,6}$/ : /^[0-9]{1,7}$/).test(digits)) return undefined;
  const cp = parseInt(digits, hex ? 16 : 10);
  return cp > 0x10ffff ? undefined : String.fromCodePoint(cp);
}

/**
 * Decodes the XML entities of character data (the five named ones and character references).
 * @throws AppError `malformed_file` for any other entity: without a DTD none can be defined.
 */
export function decodeXmlText(raw: string, part: string): string {
  let i = raw.indexOf('&');
  if (i < 0) return raw;
  let out = '';
  let last = 0;
  for (; i >= 0; i = raw.indexOf('&', last)) {
    const semi = raw.indexOf(';', i);
    const v = semi < 0 || semi - i > 12 ? undefined : entity(raw.slice(i + 1, semi));
    if (v === undefined) throw ERRORS.malformedFile(`"${part}" uses an undefined or broken entity`, { part });
    out += raw.slice(last, i) + v;
    last = semi + 1;
  }
  return out + raw.slice(last);
}
