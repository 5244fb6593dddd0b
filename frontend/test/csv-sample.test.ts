import { describe, expect, it } from 'vitest';
import { columnLetter, parseCsvRows, sampleCsvText } from '../src/lib/csv-sample.js';

describe('sampleCsvText', () => {
  it('suggests the first unique, never-empty column and counts duplicates', () => {
    const s = sampleCsvText('region,id,name\nnorth,1,a\nnorth,2,b\nsouth,3,b\n');
    expect(s.columns.map((c) => [c.name, c.letter, c.distinct])).toEqual([['region', 'A', 2], ['id', 'B', 3], ['name', 'C', 2]]);
    expect(s.rows).toBe(3);
    expect(s.suggested).toBe('id');
  });

  it('sniffs semicolons and tabs, honours quotes and the header row', () => {
    expect(sampleCsvText('x\ncode;"a;b"\n1;2\n', 2).columns.map((c) => c.name)).toEqual(['code', 'a;b']);
    expect(sampleCsvText('k\tv\n1\t2\n').columns.map((c) => c.name)).toEqual(['k', 'v']);
  });

  it('drops a partial last line of an incomplete sample', () => {
    expect(parseCsvRows('a,b\n1,2\n3,', ',', false)).toEqual([['a', 'b'], ['1', '2']]);
    expect(parseCsvRows('a,"x ""y"""\r\n', ',', true)).toEqual([['a', 'x "y"']]);
  });

  it('names columns by letter', () => {
    expect([0, 25, 26, 701, 702].map(columnLetter)).toEqual(['A', 'Z', 'AA', 'ZZ', 'AAA']);
  });
});
