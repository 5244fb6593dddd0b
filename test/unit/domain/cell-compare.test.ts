import { describe, expect, it } from 'vitest';
import { CompareOptionsSchema, type CompareOptions } from '../../../src/contracts/jobs.js';
import { createCellComparer, createKeyCanonicaliser, dateTextSerial } from '../../../src/domain/cell-compare.js';
import type { CellValue } from '../../../src/domain/table.js';

const opts = (o: Partial<CompareOptions> = {}): CompareOptions => CompareOptionsSchema.parse(o);

describe('createCellComparer', () => {
  it.each<[string, Partial<CompareOptions>, CellValue, CellValue, boolean]>([
    ['identical text', {}, 'a', 'a', true],
    ['different text', {}, 'a', 'b', false],
    ['"1.0" equals 1', {}, '1.0', 1, true],
    ['numeric strings compare as numbers', {}, '10', '1e1', true],
    ['float noise is absorbed', {}, 0.1 + 0.2, '0.3', true],
    ['numbers differ without tolerance', {}, 1, 1.01, false],
    ['numbers within tolerance', { numericTolerance: 0.05 }, '1', 1.04, true],
    ['numbers beyond tolerance', { numericTolerance: 0.05 }, '1', 1.06, false],
    ['thousands separators are text', {}, '1,000', 1000, false],
    ['case differs', {}, 'Apple', 'apple', false],
    ['ignoreCase', { ignoreCase: true }, 'Apple', 'aPPLE', true],
    ['spaces differ', {}, ' a', 'a', false],
    ['trim', { trim: true }, '  a ', 'a', true],
    ['inner whitespace differs under trim', { trim: true }, 'a  b', 'a b', false],
    ['collapseWhitespace', { collapseWhitespace: true }, 'a \t b', 'a b', true],
    ['null equals empty by default', {}, null, '', true],
    ['null differs from empty without emptyEqualsMissing', { emptyEqualsMissing: false }, null, '', false],
    ['null equals null without emptyEqualsMissing', { emptyEqualsMissing: false }, null, null, true],
    ['blank after trim equals null', { trim: true }, '   ', null, true],
    ['empty differs from a value', {}, '', '0', false],
    ['boolean equals its text', {}, true, 'TRUE', true],
    ['boolean equals lower-case text', {}, false, 'false', true],
    ['boolean differs from the other text', {}, true, 'false', false],
    ['text booleans keep case without ignoreCase', {}, 'true', 'TRUE', false],
    ['ISO date text', {}, '2024-03-01', '2024-03-01', true],
  ])('%s', (_name, o, a, b, expected) => {
    const eq = createCellComparer(opts(o));
    expect(eq(a, b)).toBe(expected);
    expect(eq(b, a)).toBe(expected);
  });
});

describe('createKeyCanonicaliser', () => {
  it('folds number cells and numeric text onto one key', () => {
    const k = createKeyCanonicaliser(opts());
    expect(k(7)).toBe(k('7'));
    expect(k('7.0')).toBe(k(7));
    expect(k(true)).toBe(k('true'));
  });

  it('keeps leading zeros: codes are not numbers', () => {
    const k = createKeyCanonicaliser(opts());
    expect(k('007')).not.toBe(k('7'));
  });

  it('follows the text options', () => {
    expect(createKeyCanonicaliser(opts({ ignoreCase: true, trim: true }))(' AbC ')).toBe('abc');
    expect(createKeyCanonicaliser(opts())(' AbC ')).toBe(' AbC ');
  });
});

describe('relative tolerance and Excel dates', () => {
  it('treats numbers within a relative tolerance as equal, and only those', () => {
    const eq = createCellComparer(opts({ relativeTolerance: 0.01 }));
    expect(eq(100, 100.9)).toBe(true);
    expect(eq('1000', '1009.99')).toBe(true);
    expect(eq(100, 101.5)).toBe(false);
    expect(eq(0, 0.001)).toBe(false);
  });

  it('matches an Excel date serial with its date text only when asked', () => {
    expect(dateTextSerial('2024-03-01')).toBe(45352);
    expect(dateTextSerial('2024-03-01T12:00:00')).toBe(45352.5);
    expect(dateTextSerial('1900-01-15')).toBeNaN();
    expect(dateTextSerial('01/03/2024')).toBeNaN();
    const on = createCellComparer(opts({ excelDates: true }));
    expect(on(45352, '2024-03-01')).toBe(true);
    expect(on('2024-03-01T12:00:00', 45352.5)).toBe(true);
    expect(on(45353, '2024-03-01')).toBe(false);
    expect(createCellComparer(opts())(45352, '2024-03-01')).toBe(false);
  });

  it('does not stretch dates by the numeric tolerances', () => {
    const eq = createCellComparer(opts({ excelDates: true, relativeTolerance: 0.01, numericTolerance: 1 }));
    expect(eq(45354, '2024-03-05')).toBe(false);
    expect(eq(45352, '2024-03-02')).toBe(false);
    expect(eq(45352 + 14.5 / 24, '2024-03-01T14:30:00')).toBe(true);
    expect(eq(45352, 45353)).toBe(true);
  });
});
