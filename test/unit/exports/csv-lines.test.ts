import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { NdjsonToCsv } from '../../../src/exports/csv-lines.js';
import { parseRecordJson } from '../../../src/exports/flat-json.js';
import type { CellInput, ColumnSpec } from '../../../src/sheets/write/columns.js';
import { CsvWriter } from '../../../src/sheets/write/csv-writer.js';

const COLUMNS: ColumnSpec[] = [
  { header: 'id', type: 'integer' },
  { header: 'name', type: 'string' },
  { header: 'amount', type: 'currency' },
  { header: 'day', type: 'date' },
  { header: 'ok', type: 'boolean' },
];

function sink(highWaterMark?: number): { out: Writable; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  const out = new Writable({
    ...(highWaterMark ? { highWaterMark } : {}),
    write(c: Buffer, _e, cb) {
      chunks.push(c);
      // a slow destination: the writer has to wait for 'drain'
      if (highWaterMark) setImmediate(cb);
      else cb();
    },
  });
  return { out, bytes: () => Buffer.concat(chunks) };
}

/** What the general path gives: every line parsed (numbers kept as text) and formatted by CsvWriter. */
function viaWriter(columns: ColumnSpec[], lines: string[], bom = true): string {
  const w = new CsvWriter(sink().out, columns, { bom });
  let s = w.headText();
  for (const l of lines) s += w.rowText(parseRecordJson(l, undefined, { numbersAsText: true }) as CellInput[]);
  return s;
}

/** The stored batches through NdjsonToCsv, each batch cut into chunks of `cut` bytes. */
async function viaBytes(columns: ColumnSpec[], batches: Buffer[], o: { cut?: number; bom?: boolean; highWaterMark?: number } = {}) {
  const { out, bytes } = sink(o.highWaterMark);
  const csv = new NdjsonToCsv(out, columns, { bom: o.bom ?? true });
  let waits = 0;
  for (const batch of batches) {
    const cut = o.cut ?? batch.length;
    for (let i = 0; i < batch.length; i += cut) {
      const p = csv.write(batch.subarray(i, i + cut));
      if (p) {
        waits++;
        await p;
      }
    }
    const p = csv.endBatch();
    if (p) await p;
  }
  await csv.finish();
  return { text: bytes().toString('utf8'), bytes: bytes(), records: csv.records, copied: csv.copied, waits };
}

const ndjson = (lines: string[]) => Buffer.from(lines.map((l) => l + '\n').join(''));

const PLAIN = [
  '[1,"alpha bravo",12.5,"2024-03-01",true]',
  '[2,"北京",-3.25,"2024-03-02",false]',
  '[3,"a, b",7,null,null]',
  '[4,null,null,null,null]',
  '[5,"x",0.000001,"2024-03-03",true]',
  '[-6,"",123456789012345,"2024-03-04",false]',
  '[7, "spaced" ,1 , "2024-03-05" , true ]\r',
  '[8,"short"]',
  '[9,"it\'s",0.5,"2024-03-06",true]',
];
const OTHER = [
  '[10,"=1+2",1,"2024-01-01",true]',
  '[11,"+x",1,null,null]',
  '[12,"-12.5",1,null,null]',
  '[13,"@SUM(A1)",1,null,null]',
  '[14,"say \\"hi\\"",1,null,null]',
  '[15,"line\\nbreak",1,null,null]',
  '[16,"tab\\tinside",1,null,null]',
  '[17,"\\u00e9t\\u00e9",1,null,null]',
  '[18," lead",1,null,null]',
  '[19,"trail ",1,null,null]',
  '[20,"\u3000ideographic",1,null,null]',
  '[21,"nbsp\u00a0",1,null,null]',
  '[22,"x",1.50,null,null]',
  '[23,"x",1E3,null,null]',
  '[24,"x",-0,null,null]',
  '[25,"x",0.0000001,null,null]',
  '[26,"x",1234567890123456,null,null]',
  '[27,"x",1e21,null,null]',
  '{"id":28,"name":"object"}',
  '[]',
  '[29,"x",1,null,null,"extra"]',
  '[30,"\uFEFFbom",1,null,null]',
  '[31,"x",-0.0,null,null]',
];

describe('NdjsonToCsv', () => {
  it('gives the same bytes as parsing and formatting each record, copying the plain ones', async () => {
    const r = await viaBytes(COLUMNS, [ndjson(PLAIN), ndjson(OTHER)]);
    expect(r.text).toBe(viaWriter(COLUMNS, [...PLAIN, ...OTHER]));
    expect(r.records).toBe(PLAIN.length + OTHER.length);
    // the plain records took the byte path, every other one the general path
    expect(r.copied).toBe(PLAIN.length);
    expect(r.text.split('\r\n').slice(0, 4)).toEqual(['\uFEFFid,name,amount,day,ok', '1,alpha bravo,12.5,2024-03-01,TRUE', '2,北京,-3.25,2024-03-02,FALSE', '3,"a, b",7,,']);
  });

  it('keeps formula injection neutralised and quotes what CSV must quote', async () => {
    const r = await viaBytes(COLUMNS, [ndjson(OTHER.slice(0, 6))]);
    expect(r.text.split('\r\n').slice(1, 7)).toEqual([
      "10,'=1+2,1,2024-01-01,TRUE",
      "11,'+x,1,,",
      '12,-12.5,1,,',
      "13,'@SUM(A1),1,,",
      '14,"say ""hi""",1,,',
      '15,"line\nbreak",1,,',
    ]);
  });

  it('gives the same bytes whatever the chunk boundaries, and across batches', async () => {
    const lines = [...PLAIN, ...OTHER];
    const want = viaWriter(COLUMNS, [...lines, ...lines]);
    const batch = ndjson(lines);
    for (const cut of [1, 2, 3, 7, 64, 1000]) {
      const r = await viaBytes(COLUMNS, [batch, batch], { cut });
      expect(r.text, `chunks of ${cut}`).toBe(want);
    }
  });

  it('takes a batch whose last line has no line break, and writes no BOM on request', async () => {
    const r = await viaBytes(COLUMNS, [Buffer.from('[1,"a",1,null,null]\n[2,"b"]'), Buffer.from('[3,"c",3,null,true]')], { bom: false });
    expect(r.text).toBe('id,name,amount,day,ok\r\n1,a,1,,\r\n2,b,,,\r\n3,c,3,,TRUE\r\n');
    expect(r.copied).toBe(3);
  });

  it('treats every character at either end of a text as CsvWriter does', async () => {
    const cols: ColumnSpec[] = [{ header: 's', type: 'string' }];
    const lines: string[] = [];
    for (let cp = 0x20; cp <= 0x3400; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const ch = String.fromCodePoint(cp);
      lines.push(JSON.stringify([`${ch}x`]), JSON.stringify([`x${ch}`]));
    }
    for (const cp of [0xfeff, 0xfffd, 0xff0c, 0x1f600, 0x10ffff]) {
      const ch = String.fromCodePoint(cp);
      lines.push(JSON.stringify([`${ch}x`]), JSON.stringify([`x${ch}`]));
    }
    const r = await viaBytes(cols, [ndjson(lines)]);
    expect(r.text).toBe(viaWriter(cols, lines));
    expect(r.copied).toBeGreaterThan(lines.length * 0.9);
  });

  it('leaves bytes that are not UTF-8 to the decoder, as before', async () => {
    const bad = Buffer.concat([Buffer.from('[1,"ok'), Buffer.from([0xff, 0xc3]), Buffer.from('",1,null,null]\n[2,"fine",2,null,null]\n')]);
    const r = await viaBytes(COLUMNS, [bad]);
    expect(r.text).toBe(viaWriter(COLUMNS, bad.toString('utf8').split('\n').filter(Boolean)));
    expect(r.text).toContain('1,ok\uFFFD\uFFFD,1,,');
  });

  it('waits for a slow destination and loses nothing', async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => JSON.stringify([i, `name ${i} 北京`, i / 4, '2024-03-01', i % 2 === 0]));
    const r = await viaBytes(COLUMNS, [ndjson(lines)], { cut: 64 * 1024, highWaterMark: 16 * 1024 });
    expect(r.waits).toBeGreaterThan(0);
    expect(r.text).toBe(viaWriter(COLUMNS, lines));
    expect(r.copied).toBe(lines.length);
  });

  it('fails on a line that is not JSON, as the general path does', async () => {
    await expect(viaBytes(COLUMNS, [Buffer.from('[1,"a",1,null,null]\nnot json\n')])).rejects.toThrow(SyntaxError);
  });
});
