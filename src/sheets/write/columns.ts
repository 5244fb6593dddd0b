import type { Fill } from './styles.js';

/** Declared type of a column; decides how a value is written and its default number format. */
export type ColumnType = 'string' | 'number' | 'integer' | 'date' | 'datetime' | 'boolean' | 'currency' | 'auto';

/** Every column type, for schemas and validation. */
export const COLUMN_TYPES = ['string', 'number', 'integer', 'date', 'datetime', 'boolean', 'currency'] as const;

/** A value handed to a writer. Dates may be Date objects or ISO strings (see parseIsoDate). */
export type CellInput = string | number | boolean | Date | null | undefined;

/** One column of a sheet. */
export interface ColumnSpec {
  header: string;
  /** @defaultValue 'auto' (the value's own JS type decides) */
  type?: ColumnType | undefined;
  /** Width in characters; unset leaves Excel's default. */
  width?: number | undefined;
  /** Excel number format code; defaults per type (see DEFAULT_FORMATS). */
  numFmt?: string | undefined;
  /** Fill of this column's header cell, overriding the sheet's header fill. */
  headerFill?: Fill | undefined;
}

/** Number formats used when a column declares none. */
export const DEFAULT_FORMATS: Record<ColumnType, string | undefined> = {
  string: undefined,
  auto: undefined,
  boolean: undefined,
  number: undefined,
  integer: '0',
  currency: '#,##0.00',
  date: 'yyyy-mm-dd',
  datetime: 'yyyy-mm-dd hh:mm:ss',
};
