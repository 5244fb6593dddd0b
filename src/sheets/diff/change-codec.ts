import type { CellChange, ChangeType, RowChange } from '../../domain/diff-result.js';
import type { CellValue } from '../../domain/table.js';

/**
 * The framed binary form of one change in a change file (see ChangeFile):
 *
 *     u32 LE  length of what follows
 *     u8      type (0 added, 1 removed, 2 changed, 3 duplicate)
 *     f64 LE  anchor (the new-file row number the change is shown at)
 *     f64 LE  old row number, f64 LE new row number (-1 where the file lacks the row)
 *     row     the old file's cells, then row  the new file's cells
 *     varint  number of changed cells, then per cell: varint column, value old, value new
 *
 * A row is a varint (cell count + 1, or 0 for no row) followed by its values. A value is a tag
 * and its data: 0 null, 1 false, 2 true, 3 number (f64 LE: every number, -0 and NaN included),
 * 4 text as UTF-8 (varint byte length, bytes), 5 text as UTF-16LE code units (varint unit count,
 * units) for a string holding a lone surrogate, which UTF-8 cannot carry. Lossless for every
 * CellValue; `''` and null stay apart.
 */
export const FRAME_HEAD = 4;
const TYPE_AT = FRAME_HEAD;
const ANCHOR_AT = TYPE_AT + 1;
const OLD_NO_AT = ANCHOR_AT + 8;
const NEW_NO_AT = OLD_NO_AT + 8;
const ROWS_AT = NEW_NO_AT + 8;

const TYPES: readonly ChangeType[] = ['added', 'removed', 'changed', 'duplicate'];
const TYPE_CODE: Readonly<Record<ChangeType, number>> = { added: 0, removed: 1, changed: 2, duplicate: 3 };

const T_NULL = 0;
const T_FALSE = 1;
const T_TRUE = 2;
const T_NUM = 3;
const T_UTF8 = 4;
const T_UTF16 = 5;
const VARINT_MAX = 5;

// String.prototype.isWellFormed: in every Node this project runs on, not in the ES2023 lib it types against.
const isWellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

function valueBound(v: CellValue): number {
  return typeof v === 'string' ? 1 + VARINT_MAX + 3 * v.length : 9;
}

function rowBound(cells: readonly CellValue[] | null): number {
  if (!cells) return 1;
  let n = VARINT_MAX;
  for (let i = 0; i < cells.length; i++) n += valueBound(cells[i] ?? null);
  return n;
}

/** Bytes {@link encodeChange} may take for `change` at most (its frame included). */
export function changeBound(change: RowChange): number {
  let n = ROWS_AT + rowBound(change.oldCells) + rowBound(change.newCells) + VARINT_MAX;
  for (const c of change.cells) n += VARINT_MAX + valueBound(c.old) + valueBound(c.new);
  return n;
}

function writeVarint(buf: Buffer, at: number, n: number): number {
  while (n >= 0x80) {
    buf[at++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  buf[at++] = n;
  return at;
}

function writeValue(buf: Buffer, at: number, v: CellValue): number {
  if (v === null) buf[at++] = T_NULL;
  else if (typeof v === 'string') {
    const len = v.length;
    if (len < 128) {
      // ASCII (most cells) byte by byte: cheaper than a Buffer.write call for short text
      let i = 0;
      for (; i < len; i++) {
        const c = v.charCodeAt(i);
        if (c >= 0x80) break;
        buf[at + 2 + i] = c;
      }
      if (i === len) {
        buf[at] = T_UTF8;
        buf[at + 1] = len;
        return at + 2 + len;
      }
    }
    if (isWellFormed(v)) {
      buf[at] = T_UTF8;
      // the length goes before the bytes: write them after the longest varint, then close up
      if (v.length < 43) {
        // at most 42 units: at most 126 bytes, a one-byte varint
        const n = buf.write(v, at + 2, 'utf8');
        buf[at + 1] = n;
        return at + 2 + n;
      }
      const n = Buffer.byteLength(v, 'utf8');
      at = writeVarint(buf, at + 1, n);
      return at + buf.write(v, at, n, 'utf8');
    }
    buf[at] = T_UTF16;
    at = writeVarint(buf, at + 1, v.length);
    return at + buf.write(v, at, v.length * 2, 'utf16le');
  } else if (typeof v === 'number') {
    buf[at] = T_NUM;
    buf.writeDoubleLE(v, at + 1);
    return at + 9;
  } else buf[at++] = v ? T_TRUE : T_FALSE;
  return at;
}

function writeRow(buf: Buffer, at: number, cells: readonly CellValue[] | null): number {
  if (!cells) {
    buf[at] = 0;
    return at + 1;
  }
  at = writeVarint(buf, at, cells.length + 1);
  for (let i = 0; i < cells.length; i++) at = writeValue(buf, at, cells[i] ?? null);
  return at;
}

/**
 * Writes `change` framed at `buf[at]`; returns the offset after it. `buf` must have
 * {@link changeBound} bytes free from `at`.
 */
export function encodeChange(change: RowChange, anchor: number, buf: Buffer, at: number): number {
  const start = at;
  buf[TYPE_AT + at] = TYPE_CODE[change.type];
  buf.writeDoubleLE(anchor, ANCHOR_AT + at);
  buf.writeDoubleLE(change.oldRowNumber, OLD_NO_AT + at);
  buf.writeDoubleLE(change.newRowNumber, NEW_NO_AT + at);
  at = writeRow(buf, ROWS_AT + at, change.oldCells);
  at = writeRow(buf, at, change.newCells);
  at = writeVarint(buf, at, change.cells.length);
  for (const c of change.cells) {
    at = writeVarint(buf, at, c.column);
    at = writeValue(buf, at, c.old);
    at = writeValue(buf, at, c.new);
  }
  buf.writeUInt32LE(at - start - FRAME_HEAD, start);
  return at;
}

/** Length of the frame starting at `buf[at]` (its head included); needs {@link FRAME_HEAD} bytes. */
export function frameLength(buf: Buffer, at: number): number {
  return FRAME_HEAD + buf.readUInt32LE(at);
}

/** Anchor of the frame starting at `buf[at]`. */
export function frameAnchor(buf: Buffer, at: number): number {
  return buf.readDoubleLE(ANCHOR_AT + at);
}

/** Reads one frame at a time; `at` moves past what was read. */
class Cursor {
  at = 0;
  constructor(private readonly buf: Buffer) {}

  varint(): number {
    const buf = this.buf;
    let n = 0;
    let shift = 0;
    for (;;) {
      const b = buf[this.at++]!;
      n += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return n;
      shift += 7;
    }
  }

  value(): CellValue {
    const buf = this.buf;
    const tag = buf[this.at++];
    switch (tag) {
      case T_NULL:
        return null;
      case T_FALSE:
        return false;
      case T_TRUE:
        return true;
      case T_NUM: {
        const v = buf.readDoubleLE(this.at);
        this.at += 8;
        return v;
      }
      case T_UTF8: {
        const n = this.varint();
        const s = buf.toString('utf8', this.at, this.at + n);
        this.at += n;
        return s;
      }
      case T_UTF16: {
        const n = this.varint() * 2;
        const s = buf.toString('utf16le', this.at, this.at + n);
        this.at += n;
        return s;
      }
      default:
        throw new Error(`change file: unknown value tag ${String(tag)} at ${this.at - 1}`);
    }
  }

  row(): CellValue[] | null {
    const n = this.varint();
    if (n === 0) return null;
    const cells = new Array<CellValue>(n - 1);
    for (let i = 0; i < n - 1; i++) cells[i] = this.value();
    return cells;
  }
}

/** The change framed at `buf[at]` (see {@link encodeChange}). */
export function decodeChange(buf: Buffer, at: number): RowChange {
  const type = TYPES[buf[TYPE_AT + at]!];
  if (type === undefined) throw new Error(`change file: unknown change type ${String(buf[TYPE_AT + at])} at ${at}`);
  const cur = new Cursor(buf);
  cur.at = ROWS_AT + at;
  const oldCells = cur.row();
  const newCells = cur.row();
  const n = cur.varint();
  const cells: CellChange[] = new Array<CellChange>(n);
  for (let i = 0; i < n; i++) {
    const column = cur.varint();
    const old = cur.value();
    cells[i] = { column, old, new: cur.value() };
  }
  const end = at + frameLength(buf, at);
  if (cur.at !== end) throw new Error(`change file: a frame of ${end - at} bytes decoded to ${cur.at - at}`);
  return { type, oldCells, newCells, oldRowNumber: buf.readDoubleLE(OLD_NO_AT + at), newRowNumber: buf.readDoubleLE(NEW_NO_AT + at), cells };
}
