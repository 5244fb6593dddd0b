import { describe, expect, it } from 'vitest';
import { columnIndex, columnLetter, uniqueHeaders } from '../../../src/domain/table.js';

describe('column letters', () => {
  it.each([
    [0, 'A'],
    [25, 'Z'],
    [26, 'AA'],
    [701, 'ZZ'],
    [702, 'AAA'],
    [16383, 'XFD'],
  ])('maps %i to %s and back', (i, s) => {
    expect(columnLetter(i)).toBe(s);
    expect(columnIndex(s)).toBe(i);
    expect(columnIndex(s.toLowerCase())).toBe(i);
  });

  it('returns -1 for text that is not column letters', () => {
    expect(columnIndex('A1')).toBe(-1);
    expect(columnIndex('')).toBe(-1);
    expect(columnIndex('ABCD')).toBe(-1);
  });
});

describe('uniqueHeaders', () => {
  it('names empty headers by column letter and suffixes repeats case-insensitively', () => {
    expect(uniqueHeaders(['id', '', 'Name', 'name', ' name ', 'C', ''])).toEqual(['id', 'B', 'Name', 'name_2', 'name_3', 'C', 'G']);
  });

  it('skips a suffix that is already taken', () => {
    expect(uniqueHeaders(['a', 'a_2', 'a'])).toEqual(['a', 'a_2', 'a_3']);
  });

  it('stays linear for thousands of repeats of one name', () => {
    const out = uniqueHeaders(new Array<string>(16_384).fill('1'));
    expect(out[1]).toBe('1_2');
    expect(out[16_383]).toBe('1_16384');
    expect(new Set(out).size).toBe(16_384);
  });
});
