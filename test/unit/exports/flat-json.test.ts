import { describe, expect, it } from 'vitest';
import { parseFlatJson, parseRecordJson } from '../../../src/exports/flat-json.js';

describe('parseFlatJson', () => {
  it.each([
    '[1,"a",true,false,null]',
    ' [ 1 , -0 , 0.5 , -12.25e-3 , 1E+21 , 9007199254740993 , 1e400 ] ',
    '["", "SKU-0Z5H8X", "北京", "😀", "tab\\there", "quote \\" and \\\\ slash", "\\u0041\\u00e9\\ud83d\\ude00", "\\/"]',
    '{"id":1,"name":"x","ok":null}',
    '{"a":1,"a":2,"b":"dup keys: the last wins"}',
    '{"2":"b","1":"a","x":"integer-like keys first, as JSON.parse orders them"}',
    '{"constructor":1,"toString":"own properties, no prototype setters"}',
    '[]',
    '{}',
    '\t[1]\r',
  ])('equals JSON.parse for %s', (line) => {
    const got = parseFlatJson(line);
    expect(got).not.toBeUndefined();
    expect(got).toStrictEqual(JSON.parse(line));
    if (Array.isArray(got)) expect(Object.is(got[1], JSON.parse(line)[1])).toBe(true); // -0 stays -0
  });

  it.each([
    ['nested array', '[1,[2]]'],
    ['nested object', '{"a":{"b":1}}'],
    ['a __proto__ key', '{"__proto__":{"x":1}}'],
    ['a scalar', '42'],
    ['a trailing comma', '[1,]'],
    ['a missing comma', '[1 2]'],
    ['leading zeros', '[01]'],
    ['a bare dot', '[1.]'],
    ['a plus sign', '[+1]'],
    ['NaN', '[NaN]'],
    ['single quotes', "['a']"],
    ['a raw control character', '["a\u0001b"]'],
    ['a raw line break', '["a\nb"]'],
    ['an unterminated string', '["abc'],
    ['a bad escape', '["\\x41"]'],
    ['trailing text', '[1] x'],
    ['two values', '[1][2]'],
    ['a truncated literal', '[tru]'],
    ['an unclosed array', '[1,2'],
    ['an object without a colon', '{"a" 1}'],
    ['an unquoted key', '{a:1}'],
  ])('leaves %s to JSON.parse', (_what, line) => {
    expect(parseFlatJson(line)).toBeUndefined();
    let viaJson: unknown;
    let jsonError: unknown;
    try {
      viaJson = JSON.parse(line);
    } catch (err) {
      jsonError = err;
    }
    // parseRecordJson then gives exactly what JSON.parse gives, error included
    if (jsonError) expect(() => parseRecordJson(line)).toThrow(SyntaxError);
    else expect(parseRecordJson(line)).toStrictEqual(viaJson);
  });

  it('agrees with JSON.parse on generated records of every kind of value', () => {
    let seed = 7;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const pick = (): unknown => {
      const r = rand();
      if (r < 0.2) return Math.floor(rand() * 1e9) - 5e8;
      if (r < 0.35) return (rand() - 0.5) * 10 ** Math.floor(rand() * 40 - 20);
      if (r < 0.45) return rand() < 0.5;
      if (r < 0.5) return null;
      let s = '';
      const len = Math.floor(rand() * 14);
      for (let k = 0; k < len; k++) s += String.fromCharCode(rand() < 0.1 ? Math.floor(rand() * 32) : rand() < 0.2 ? 0x4e00 + Math.floor(rand() * 500) : 32 + Math.floor(rand() * 95));
      return s;
    };
    for (let i = 0; i < 2000; i++) {
      const rec = Array.from({ length: Math.floor(rand() * 12) }, pick);
      const line = i % 2 ? JSON.stringify(rec) : JSON.stringify(Object.fromEntries(rec.map((v, k) => [`c${k}`, v])), null, i % 4 === 0 ? 1 : undefined);
      expect(parseFlatJson(line)).toStrictEqual(JSON.parse(line));
    }
  });
});

describe('parseFlatJson with numbersAsText', () => {
  it('keeps exactly the tokens whose text is String(value), parses the rest', () => {
    const tokens = ['0', '7', '-3', '123456789012345', '1234567890123456', '0.5', '-0.5', '12.25', '0.000001', '0.0000001',
      '1.50', '-0', '-0.0', '1e3', '1E+21', '0.1', '0.123456789012345', '0.1234567890123456', '100000000000000', '3.0', '99.990'];
    const line = `[${tokens.join(',')}]`;
    const got = parseFlatJson(line, undefined, { numbersAsText: true }) as unknown[];
    tokens.forEach((t, i) => {
      const n = Number(t);
      if (typeof got[i] === 'string') expect(got[i], t).toBe(String(n));
      else expect(got[i], t).toBe(n);
    });
    const kept = tokens.filter((_, i) => typeof got[i] === 'string');
    expect(kept).toEqual(['0', '7', '-3', '123456789012345', '0.5', '-0.5', '12.25', '0.000001', '0.1', '0.123456789012345', '100000000000000']);
  });

  it('never keeps a text that differs from String(value), on random tokens', () => {
    let seed = 11;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const digits = (n: number): string => Array.from({ length: n }, () => String(Math.floor(rand() * 10))).join('');
    let kept = 0;
    for (let i = 0; i < 20_000; i++) {
      const int = rand() < 0.3 ? '0' : String(1 + Math.floor(rand() * 9)) + digits(Math.floor(rand() * 18));
      const frac = rand() < 0.4 ? '' : `.${digits(1 + Math.floor(rand() * 18))}`;
      const exp = rand() < 0.1 ? `e${rand() < 0.5 ? '-' : ''}${Math.floor(rand() * 30)}` : '';
      const token = `${rand() < 0.3 ? '-' : ''}${int}${frac}${exp}`;
      const [v] = parseFlatJson(`[${token}]`, undefined, { numbersAsText: true }) as unknown[];
      if (typeof v === 'string') {
        kept++;
        expect(v, token).toBe(String(Number(token)));
      } else expect(v, token).toBe(Number(token));
    }
    expect(kept).toBeGreaterThan(2_000);
  });
});
