import { CompareOptionsSchema, type CompareOptions } from '../../../src/contracts/jobs.js';
import type { CellValue, Table } from '../../../src/domain/table.js';

/** A Table from a header and rows, as a reader would give it. */
export function table(header: string[], rows: CellValue[][], sheetName = 'Sheet1'): Table {
  return { sheetName, sheetNames: [sheetName], header, rows };
}

/** CompareOptions with defaults applied. */
export const options = (o: Partial<CompareOptions> = {}): CompareOptions => CompareOptionsSchema.parse(o);
