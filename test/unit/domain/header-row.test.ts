import { describe, expect, it } from 'vitest';
import { detectHeaderRow, HeaderRowDetector, HEADER_CANDIDATE_ROWS, HEADER_LOOKAHEAD_ROWS } from '../../../src/domain/header-row.js';
import type { CellValue } from '../../../src/domain/table.js';

/** Rows numbered from 1 as a sheet gives them (blank rows included). */
const sheet = (...rows: CellValue[][]) => rows.map((cells, i) => ({ rowNumber: i + 1, cells }));
const DATA: CellValue[][] = [
  ['1', 'apple', '3', '2024-03-01'],
  ['2', 'pear', '5', '2024-03-02'],
  ['3', 'plum', '7', '2024-03-03'],
];
const HEADER: CellValue[] = ['id', 'name', 'qty', 'date'];

describe('detectHeaderRow', () => {
  it.each<[string, CellValue[][], number]>([
    ['a header on the first row', [HEADER, ...DATA], 1],
    ['a title and a blank row above the header', [['Stock report'], [], HEADER, ...DATA], 3],
    ['a title, a date line and a blank row above', [['Stock report'], ['Generated', '2024-03-01'], [null, null], HEADER, ...DATA], 4],
    ['a title in a merged cell over the table', [['Q1 sales', null, null, null], HEADER, ...DATA], 2],
    ['typed xlsx cells below a text header', [['Inventory'], ['sku', 'qty', 'in stock'], ['A', 3, true], ['B', 5, false]], 2],
    ['a header of years: the first row that spans the table', [['Sales by region'], ['Region', '2023', '2024'], ['North', '10', '12'], ['South', '8', '9']], 2],
    ['a header with unnamed columns', [['id', null, null, 'v'], [null, null, null, 4], [1, null, null, null]], 1],
    ['a stray note far right of a data row', [HEADER, ['1', 'apple', '3', '2024-03-01', null, null, null, null, 'note'], ...DATA], 1],
    ['a two-column table under metadata lines with values', [['Exported', '2024-03-01'], ['Rows', '2'], ['code', 'amount'], ['A1', '10'], ['B2', '20']], 3],
    ['known miss: a text "key: value" line above a two-column table', [['Company', 'ACME'], ['code', 'amount'], ['A1', '10'], ['B2', '20']], 1],
    ['numbers only: the first row', [['1', '2'], ['3', '4'], ['5', '6']], 1],
    ['one row only', [HEADER], 1],
    ['nothing', [[], [null]], 1],
  ])('%s', (_name, rows, expected) => {
    expect(detectHeaderRow(sheet(...rows))).toBe(expected);
  });

  it('keeps the source row numbers of a sparse sheet', () => {
    const rows = [
      { rowNumber: 4, cells: ['Report'] },
      { rowNumber: 9, cells: HEADER },
      { rowNumber: 10, cells: DATA[0]! },
      { rowNumber: 12, cells: DATA[1]! },
    ];
    expect(detectHeaderRow(rows)).toBe(9);
  });

  it('looks for the header only among the first rows', () => {
    const titles = Array.from({ length: HEADER_CANDIDATE_ROWS }, (_, i): CellValue[] => [`note ${i}`]);
    expect(detectHeaderRow(sheet(...titles, HEADER, ...DATA))).toBe(1);
  });
});

describe('HeaderRowDetector', () => {
  it('asks for no more rows once the candidates and their look-ahead are sampled, skipping blank rows', () => {
    const d = new HeaderRowDetector();
    expect(d.add(1, [])).toBe(false);
    expect(d.add(2, ['Title'])).toBe(false);
    expect(d.add(3, HEADER)).toBe(false);
    let n = 4;
    let done = false;
    for (let i = 0; i < HEADER_CANDIDATE_ROWS + HEADER_LOOKAHEAD_ROWS - 2; i++) done = d.add(n++, DATA[i % 3]!);
    expect(done).toBe(true);
    expect(d.headerRow()).toBe(3);
  });
});
