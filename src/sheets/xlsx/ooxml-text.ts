import { ERRORS } from '../../errors/index.js';

const ESCAPE = /_x([0-9A-Fa-f]{4})_/g;

/**
 * Decodes the `_xHHHH_` escapes OOXML uses for characters XML cannot carry (`_x000D_` is a CR,
 * `_x005F_` escapes a literal underscore sequence).
 */
export function decodeOoxmlText(s: string): string {
  if (!s.includes('_x')) return s;
  return s.replace(ESCAPE, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
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

const utf8 = new TextDecoder();

/** The UTF-8 text of the raw character data `b[s, e)`, entities decoded. */
export function rawXmlText(b: Uint8Array, s: number, e: number, part: string): string {
  return decodeXmlText(utf8.decode(b.subarray(s, e)), part);
}
