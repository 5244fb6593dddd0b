const QUOTE = 34;
const CR = 13;
const LF = 10;

const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const QUOTE_IN_QUOTED = 3;

/**
 * Streaming RFC 4180 parser: text chunks in, one string array per record out.
 *
 * Quoted fields may hold delimiters, quotes (`""`) and newlines; records end at CRLF, LF or a
 * lone CR; chunks may split anywhere (inside a field, between `"` and `"`, between CR and LF).
 * Lenient where files are sloppy: a quote inside an unquoted field is a literal, text after a
 * closing quote is appended, an unterminated quoted field ends at end of input.
 */
export class CsvParser {
  private state = FIELD_START;
  private field = '';
  private row: string[] = [];
  private skipLf = false;
  private readonly delim: number;

  constructor(
    delimiter: string,
    private readonly onRow: (fields: string[]) => void,
  ) {
    this.delim = delimiter.charCodeAt(0);
  }

  /** Feeds the next chunk of decoded text. */
  push(text: string): void {
    const n = text.length;
    const delim = this.delim;
    let i = 0;
    if (this.skipLf) {
      this.skipLf = false;
      if (n > 0 && text.charCodeAt(0) === LF) i = 1;
    }
    while (i < n) {
      switch (this.state) {
        case FIELD_START:
          if (text.charCodeAt(i) === QUOTE) {
            this.state = QUOTED;
            i++;
          } else this.state = UNQUOTED;
          break;
        case UNQUOTED: {
          const start = i;
          let c = 0;
          while (i < n) {
            c = text.charCodeAt(i);
            if (c === delim || c === LF || c === CR) break;
            i++;
          }
          if (i > start) this.field += text.slice(start, i);
          if (i < n) i = this.endField(text, i, c);
          break;
        }
        case QUOTED: {
          const q = text.indexOf('"', i);
          if (q < 0) {
            this.field += text.slice(i);
            i = n;
          } else {
            this.field += text.slice(i, q);
            this.state = QUOTE_IN_QUOTED;
            i = q + 1;
          }
          break;
        }
        case QUOTE_IN_QUOTED: {
          const c = text.charCodeAt(i);
          if (c === QUOTE) {
            this.field += '"';
            this.state = QUOTED;
            i++;
          } else if (c === delim || c === LF || c === CR) {
            i = this.endField(text, i, c);
          } else {
            this.state = UNQUOTED;
          }
          break;
        }
      }
    }
  }

  /** Flushes the last record when the input does not end with a newline. */
  end(): void {
    if (this.state !== FIELD_START || this.row.length > 0 || this.field !== '') {
      this.row.push(this.field);
      this.emit();
    }
    this.state = FIELD_START;
  }

  // Ends the field at text[i] (a delimiter or a newline); returns the index after it.
  private endField(text: string, i: number, c: number): number {
    this.row.push(this.field);
    this.field = '';
    this.state = FIELD_START;
    if (c === this.delim) return i + 1;
    this.emit();
    if (c === CR) {
      if (i + 1 < text.length) return text.charCodeAt(i + 1) === LF ? i + 2 : i + 1;
      this.skipLf = true;
    }
    return i + 1;
  }

  private emit(): void {
    const row = this.row;
    this.row = [];
    this.onRow(row);
  }
}
