/**
 * A parser for the one JSON shape records come in: an array or an object of strings, numbers,
 * booleans and nulls. It exists for memory (and is ~1.8× as fast as JSON.parse on records):
 * V8's JSON.parse internalizes every string value of up to 10 characters (ids, codes, dates),
 * and internalized strings are allocated in the old generation and indexed in the string table,
 * which lives outside the JS heap and only grows until the next full GC. Streaming millions of
 * records through JSON.parse therefore grows both, by tens of MB. Strings cut here are ordinary
 * young strings.
 *
 * `parseFlatJson` returns `undefined` for anything it does not take (nested values, a
 * `__proto__` key, any syntax error): the caller then uses JSON.parse, which gives the standard
 * result or error. What it does return equals what JSON.parse returns for the same text.
 */

const SPACE = 32;
const TAB = 9;
const LF = 10;
const CR = 13;
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const MINUS = 45;
const PLUS = 43;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const LOWER_E = 101;
const UPPER_E = 69;
const OPEN_ARRAY = 91;
const CLOSE_ARRAY = 93;
const OPEN_OBJECT = 123;
const CLOSE_OBJECT = 125;

type Primitive = string | number | boolean | null;

/** Options of parseFlatJson. */
export interface FlatJsonOptions {
  /**
   * Give a number whose token is exactly its canonical text (`String(n)`) as that text: for output
   * that only needs the text (CSV), which then skips parsing and formatting it. Other numbers, and
   * every number with `false`, are numbers. @defaultValue false
   */
  numbersAsText?: boolean;
}

/** Cursor over one line; `fail` marks that the text is not a flat JSON record. */
class Scanner {
  i = 0;
  fail = false;
  constructor(
    readonly s: string,
    readonly numbersAsText: boolean,
  ) {}

  skipSpace(): number {
    const s = this.s;
    let c = s.charCodeAt(this.i);
    while (c === SPACE || c === TAB || c === LF || c === CR) c = s.charCodeAt(++this.i);
    return c; // NaN past the end
  }

  string(): string | undefined {
    const s = this.s;
    const start = ++this.i; // after the opening quote
    let escaped = false;
    for (;;) {
      const c = s.charCodeAt(this.i);
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        escaped = true;
        this.i += 2;
        continue;
      }
      if (!(c >= 32)) {
        // a control character (invalid in JSON) or the end of the text
        this.fail = true;
        return undefined;
      }
      this.i++;
    }
    const end = this.i++;
    if (!escaped) return s.slice(start, end);
    try {
      return JSON.parse(s.slice(start - 1, end + 1)) as string;
    } catch {
      this.fail = true;
      return undefined;
    }
  }

  /**
   * A number token. With `numbersAsText`, a token that is already the text `String(n)` would
   * give for its value is returned as that text (no parse, no formatting later); see
   * `canonical` below for when that is certain. Anything else becomes a number.
   */
  number(): number | string | undefined {
    const s = this.s;
    const start = this.i;
    let c = s.charCodeAt(this.i);
    const negative = c === MINUS;
    if (negative) c = s.charCodeAt(++this.i);
    const intStart = this.i;
    if (c === ZERO) c = s.charCodeAt(++this.i);
    else if (c > ZERO && c <= NINE) do c = s.charCodeAt(++this.i); while (c >= ZERO && c <= NINE);
    else return this.bad();
    const intLen = this.i - intStart;
    let fracLen = 0;
    let fracZeros = 0; // leading zeros of the fraction
    let lastFrac = 0;
    if (c === DOT) {
      c = s.charCodeAt(++this.i);
      if (!(c >= ZERO && c <= NINE)) return this.bad();
      const fracStart = this.i;
      do c = s.charCodeAt(++this.i); while (c >= ZERO && c <= NINE);
      fracLen = this.i - fracStart;
      while (fracZeros < fracLen && s.charCodeAt(fracStart + fracZeros) === ZERO) fracZeros++;
      lastFrac = s.charCodeAt(this.i - 1);
    }
    let exponent = false;
    if (c === LOWER_E || c === UPPER_E) {
      exponent = true;
      c = s.charCodeAt(++this.i);
      if (c === PLUS || c === MINUS) c = s.charCodeAt(++this.i);
      if (!(c >= ZERO && c <= NINE)) return this.bad();
      do c = s.charCodeAt(++this.i); while (c >= ZERO && c <= NINE);
    }
    const text = s.slice(start, this.i);
    if (!this.numbersAsText || exponent) return Number(text);
    // Canonical (String(Number(text)) === text) when: no exponent; not -0; no fraction ending in
    // 0; at most 15 significant digits (a double keeps 15, so the shortest round-trip text is the
    // token itself); and not below 1e-6, where String() switches to exponent notation.
    const zeroInt = intLen === 1 && s.charCodeAt(intStart) === ZERO;
    const significant = zeroInt ? fracLen - fracZeros : intLen + fracLen;
    const canonical =
      significant <= 15 &&
      (fracLen === 0 ? !(negative && zeroInt) : lastFrac !== ZERO && (!zeroInt || fracZeros < 6));
    return canonical ? text : Number(text);
  }

  literal(word: string, value: boolean | null): boolean | null | undefined {
    if (!this.s.startsWith(word, this.i)) return this.bad();
    this.i += word.length;
    return value;
  }

  value(): Primitive | undefined {
    const c = this.skipSpace();
    if (c === QUOTE) return this.string();
    if (c === MINUS || (c >= ZERO && c <= NINE)) return this.number();
    if (c === 116) return this.literal('true', true);
    if (c === 102) return this.literal('false', false);
    if (c === 110) return this.literal('null', null);
    return this.bad(); // nested, or not JSON
  }

  bad(): undefined {
    this.fail = true;
    return undefined;
  }
}

function parseArray(p: Scanner, into: Primitive[] | undefined): Primitive[] | undefined {
  const out: Primitive[] = into ?? [];
  out.length = 0;
  p.i++;
  if (p.skipSpace() === CLOSE_ARRAY) {
    p.i++;
    return out;
  }
  for (;;) {
    const v = p.value();
    if (p.fail) return undefined;
    out.push(v!);
    const c = p.skipSpace();
    p.i++;
    if (c === COMMA) continue;
    return c === CLOSE_ARRAY ? out : undefined;
  }
}

function parseObject(p: Scanner): Record<string, Primitive> | undefined {
  const out: Record<string, Primitive> = {};
  p.i++;
  if (p.skipSpace() === CLOSE_OBJECT) {
    p.i++;
    return out;
  }
  for (;;) {
    if (p.skipSpace() !== QUOTE) return undefined;
    const key = p.string();
    if (p.fail || key === '__proto__') return undefined;
    if (p.skipSpace() !== COLON) return undefined;
    p.i++;
    const v = p.value();
    if (p.fail) return undefined;
    out[key!] = v!;
    const c = p.skipSpace();
    p.i++;
    if (c === COMMA) continue;
    return c === CLOSE_OBJECT ? out : undefined;
  }
}

/**
 * The record in `line` (an array or object of primitives), or undefined: then use JSON.parse.
 *
 * `into`: an array to fill (emptied first) when the record is an array, instead of a new one.
 * Hot loops reuse their record arrays: V8 moves an allocation site to the old generation for good
 * ("pretenuring") once most of its objects were seen alive at a young GC, which a block of records
 * waiting to be written can look like; every record array would then cost old-space memory.
 */
export function parseFlatJson(line: string, into?: Primitive[], opts?: FlatJsonOptions): Primitive[] | Record<string, Primitive> | undefined {
  const p = new Scanner(line, opts?.numbersAsText ?? false);
  const c = p.skipSpace();
  const v = c === OPEN_ARRAY ? parseArray(p, into) : c === OPEN_OBJECT ? parseObject(p) : undefined;
  if (v === undefined || p.fail) return undefined;
  // only whitespace may follow
  return Number.isNaN(p.skipSpace()) ? v : undefined;
}

/** parseFlatJson (filling `into` when given), else JSON.parse (which throws on a syntax error). */
export function parseRecordJson(line: string, into?: Primitive[], opts?: FlatJsonOptions): unknown {
  return parseFlatJson(line, into, opts) ?? JSON.parse(line);
}

