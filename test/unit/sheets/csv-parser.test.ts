import { describe, expect, it } from 'vitest';
import { CsvParser } from '../../../src/sheets/csv/csv-parser.js';
import { sniffDelimiter } from '../../../src/sheets/csv/sniff-delimiter.js';

function parse(text: string, delim = ',', chunk = 0): string[][] {
  const rows: string[][] = [];
  const p = new CsvParser(delim, (r) => rows.push(r));
  if (chunk > 0) for (let i = 0; i < text.length; i += chunk) p.push(text.slice(i, i + chunk));
  else p.push(text);
  p.end();
  return rows;
}

describe('CsvParser', () => {
  const cases: [string, string, string[][]][] = [
    ['plain LF', 'a,b\n1,2\n', [['a', 'b'], ['1', '2']]],
    ['CRLF', 'a,b\r\n1,2\r\n', [['a', 'b'], ['1', '2']]],
    ['lone CR', 'a,b\r1,2', [['a', 'b'], ['1', '2']]],
    ['no final newline', 'a,b\n1,2', [['a', 'b'], ['1', '2']]],
    ['quoted delimiter and escaped quote', '"a,b","say ""hi"""\n', [['a,b', 'say "hi"']]],
    ['quoted newlines', '"line1\nline2","x\r\ny"\nz,w\n', [['line1\nline2', 'x\r\ny'], ['z', 'w']]],
    ['empty fields', ',,\n', [['', '', '']]],
    ['empty quoted field', '"",x\n', [['', 'x']]],
    ['ragged rows', 'a,b,c\n1\n', [['a', 'b', 'c'], ['1']]],
    ['quote inside an unquoted field is literal', 'ab"c,d\n', [['ab"c', 'd']]],
    ['text after a closing quote is kept', '"ab"c,d\n', [['abc', 'd']]],
    ['unterminated quote runs to the end', '"abc\n', [['abc\n']]],
    ['blank line', 'a\n\nb\n', [['a'], [''], ['b']]],
  ];

  it.each(cases)('parses %s', (_n, text, rows) => {
    expect(parse(text)).toEqual(rows);
  });

  it.each(cases)('parses %s fed one character at a time', (_n, text, rows) => {
    expect(parse(text, ',', 1)).toEqual(rows);
  });

  it('uses the given delimiter', () => {
    expect(parse('a;"b;c"\tx\n', ';')).toEqual([['a', 'b;c\tx']]);
  });
});

describe('sniffDelimiter', () => {
  it.each([
    ['comma', 'id,name,qty\n1,a,2\n2,b,3\n', ','],
    ['semicolon with decimal commas', 'id;price;note\n1;1,5;a\n2;2,25;b\n', ';'],
    ['tab', 'id\tname\n1\tx, y\n2\tz\n', '\t'],
    ['pipe', 'id|name\n1|a,b\n2|c;d\n', '|'],
    ['delimiters inside quotes do not count', 'a,b\n"x;y;z",1\n"p;q;r",2\n', ','],
  ])('finds %s', (_n, text, d) => {
    expect(sniffDelimiter(text, true)).toBe(d);
  });

  it('falls back to the preferred delimiter for a single column', () => {
    expect(sniffDelimiter('name\nx\ny\n', true)).toBe(',');
    expect(sniffDelimiter('name\nx\ny\n', true, '\t')).toBe('\t');
  });

  it('ignores a last record cut short by the sample', () => {
    expect(sniffDelimiter('a;b;c\n1;2;3\n4;5;6\n7,8', false)).toBe(';');
  });
});
