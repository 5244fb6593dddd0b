import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CsvWriter } from '../../../src/sheets/write/csv-writer.js';

function sink(): { out: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(c: Buffer, _e, cb) {
      chunks.push(c);
      cb();
    },
  });
  return { out, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('CsvWriter', () => {
  it('writes typed values, ISO dates and neutralised text with a BOM and CRLF', async () => {
    const { out, text } = sink();
    const w = new CsvWriter(out, [
      { header: 'id', type: 'integer' },
      { header: 'note', type: 'string' },
      { header: 'day', type: 'date' },
      { header: 'at', type: 'datetime' },
      { header: 'ok', type: 'boolean' },
      { header: 'amount', type: 'currency' },
    ]);
    w.writeRow([1, '=1+2', '2024-03-01', new Date(Date.UTC(2024, 2, 1, 8, 30)), true, -12.5]);
    w.writeRow([2, 'a, "b"', new Date(Date.UTC(2000, 0, 2)), null, false, null]);
    w.writeRow([3, '-12.5', null, '2024-03-01T10:00:00+08:00', null, 1e21]);
    w.writeRow([4, '@x', null, null, null, null]);
    await w.finish();
    expect(text().split('\r\n')).toEqual([
      '\uFEFFid,note,day,at,ok,amount',
      "1,'=1+2,2024-03-01,2024-03-01T08:30:00,TRUE,-12.5",
      '2,"a, ""b""",2000-01-02,,FALSE,',
      '3,-12.5,,2024-03-01T10:00:00+08:00,,1e+21',
      "4,'@x,,,,",
      '',
    ]);
  });

  it('leaves out the BOM and the header on request and writes a header for no rows', async () => {
    const a = sink();
    const w = new CsvWriter(a.out, [{ header: 'x' }], { bom: false, header: false, eol: '\n' });
    w.writeRow(['v']);
    await w.finish();
    expect(a.text()).toBe('v\n');
    const b = sink();
    await new CsvWriter(b.out, [{ header: '+h' }]).finish();
    expect(b.text()).toBe("\uFEFF'+h\r\n");
  });
});
