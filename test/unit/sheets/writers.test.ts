import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffTables, type DiffResult } from '../../../src/domain/diff.js';
import { readTable } from '../../../src/sheets/read-table.js';
import { writeDiffCsv } from '../../../src/sheets/write-diff-csv.js';
import { writeDiffXlsx } from '../../../src/sheets/write-diff-xlsx.js';
import { neutraliseFormula, xmlText } from '../../../src/sheets/write/xml-text.js';
import { readZipEntries } from '../../helpers/zip.js';
import { options, table } from '../domain/table-helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sd-write-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function sampleDiff(): DiffResult {
  const o = table(
    ['id', 'name', 'qty', 'gone'],
    [
      ['1', 'apple', 3, 'x'],
      ['2', 'pear', 5, 'y'],
      ['3', '=cmd|calc', 7, 'z'],
      ['9', 'dup', 1, 'd'],
      ['9', 'dup2', 2, 'd'],
    ],
  );
  const n = table(
    ['id', 'name', 'qty', 'extra'],
    [
      ['1', 'apple', 3, 'e'],
      ['2', 'Pear\u0001 & <b>', 6, 'f'],
      ['4', '@SUM(A1)', -1, '+1+1'],
      ['5', '北京', true, null],
    ],
  );
  return diffTables(o, n, { key: ['id'], options: options() });
}

const META = { oldName: 'old.xlsx', newName: 'new.csv', options: options(), key: ['id'] };

const zipEntries = readZipEntries;

describe('writeDiffXlsx', () => {
  it('writes a workbook that reads back with the diff in it', async () => {
    const path = join(dir, 'diff.xlsx');
    await writeDiffXlsx(sampleDiff(), META, createWriteStream(path));
    const diff = await readTable(path, 'xlsx', { maxRows: 100, sheet: 'Diff' });
    expect(diff.sheetNames).toEqual(['Summary', 'Diff']);
    expect(diff.header).toEqual(['Change', 'id', 'name', 'qty', 'extra (added)', 'gone (removed)']);
    expect(diff.rows).toEqual([
      ['changed', '2', 'Pear & <b> ← pear', '6 ← 5', 'f', 'y'],
      ['removed', '3', '=cmd|calc', 7, null, 'z'],
      ['duplicate (old)', '9', 'dup', 1, null, 'd'],
      ['duplicate (old)', '9', 'dup2', 2, null, 'd'],
      ['added', '4', '@SUM(A1)', -1, '+1+1', null],
      ['added', '5', '北京', true, null, null],
    ]);
    const summary = await readTable(path, 'xlsx', { maxRows: 100, headerRow: 8 });
    expect(summary.rows.slice(0, 5)).toEqual([
      ['Added', 2],
      ['Removed', 1],
      ['Changed', 1],
      ['Unchanged', 1],
      ['Duplicate key rows', 2],
    ]);
  });

  it('writes text as inline strings, never formulas, with fills, frozen header and autofilter', async () => {
    const path = join(dir, 'parts.xlsx');
    await writeDiffXlsx(sampleDiff(), META, createWriteStream(path));
    const parts = await zipEntries(path);
    const sheet = parts.get('xl/worksheets/sheet2.xml')!;
    expect(sheet).not.toContain('<f>');
    expect(sheet).toContain('<t>=cmd|calc</t>');
    expect(sheet).toContain('state="frozen"');
    expect(sheet).toContain('<autoFilter ref="A1:F7"/>');
    expect(sheet).not.toContain('\u0001');
    expect(parts.get('xl/workbook.xml')).toContain("_xlnm._FilterDatabase");
    expect(parts.get('xl/styles.xml')).toContain('FFC6EFCE');
    expect([...parts.keys()].sort()).toEqual([
      '[Content_Types].xml',
      '_rels/.rels',
      'xl/_rels/workbook.xml.rels',
      'xl/styles.xml',
      'xl/workbook.xml',
      'xl/worksheets/sheet1.xml',
      'xl/worksheets/sheet2.xml',
    ]);
  });

  it('waits for a slow destination (backpressure) and streams everything', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => [String(i), `name ${i}`, i]);
    const r = diffTables(table(['id', 'name', 'n'], []), table(['id', 'name', 'n'], rows), { key: ['id'], options: options() });
    const chunks: Buffer[] = [];
    let maxBuffered = 0;
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _enc, cb) {
        chunks.push(chunk);
        maxBuffered = Math.max(maxBuffered, slow.writableLength);
        setImmediate(cb);
      },
    });
    await writeDiffXlsx(r, META, slow);
    const path = join(dir, 'slow.xlsx');
    await import('node:fs/promises').then((fs) => fs.writeFile(path, Buffer.concat(chunks)));
    const back = await readTable(path, 'xlsx', { maxRows: 100_000, sheet: 'Diff' });
    expect(back.rows.length).toBe(20_000);
    expect(back.rows[19_999]).toEqual(['added', '19999', 'name 19999', 19999]);
    expect(maxBuffered).toBeLessThan(1024 * 1024);
  });
});

describe('writeDiffCsv', () => {
  it('writes the long form with a BOM, neutralised formulas and JSON rows', async () => {
    const path = join(dir, 'diff.csv');
    await writeDiffCsv(sampleDiff(), createWriteStream(path));
    const text = await readFile(path, 'utf8');
    expect(text.startsWith('\uFEFFchange,key,column,old,new\r\n')).toBe(true);
    expect(text.slice(1).split('\r\n')).toEqual([
      'change,key,column,old,new',
      'changed,2,name,pear,Pear\u0001 & <b>',
      'changed,2,qty,5,6',
      'removed,3,,"{""id"":""3"",""name"":""=cmd|calc"",""qty"":7,""gone"":""z""}",',
      'duplicate,9,,"{""id"":""9"",""name"":""dup"",""qty"":1,""gone"":""d""}",',
      'duplicate,9,,"{""id"":""9"",""name"":""dup2"",""qty"":2,""gone"":""d""}",',
      'added,4,,,"{""id"":""4"",""name"":""@SUM(A1)"",""qty"":-1,""extra"":""+1+1""}"',
      'added,5,,,"{""id"":""5"",""name"":""北京"",""qty"":true,""extra"":null}"',
      '',
    ]);
  });

  it('neutralises cells that a spreadsheet would run as formulas', async () => {
    const o = table(['id', 'v'], [['=1', '@a'], ['k', '+x']]);
    const n = table(['id', 'v'], [['=1', '-2+3'], ['k', '\tcmd']]);
    const path = join(dir, 'inj.csv');
    await writeDiffCsv(diffTables(o, n, { key: ['id'], options: options() }), createWriteStream(path));
    const lines = (await readFile(path, 'utf8')).split('\r\n');
    expect(lines[1]).toBe("changed,'=1,v,'@a,'-2+3");
    expect(lines[2]).toBe("changed,k,v,'+x,'\tcmd");
  });
});

describe('text helpers', () => {
  it.each([
    ['=SUM(A1)', "'=SUM(A1)"],
    ['+1', '+1'],
    ['-12.5', '-12.5'],
    ['-1+2', "'-1+2"],
    ['@x', "'@x"],
    ['\tx', "'\tx"],
    ['\rx', "'\rx"],
    ['plain', 'plain'],
  ])('neutraliseFormula(%j) is %j', (s, out) => {
    expect(neutraliseFormula(s)).toBe(out);
  });

  it('escapes XML and drops characters XML 1.0 cannot carry', () => {
    expect(xmlText('a<b>&"c"')).toBe('a&lt;b&gt;&amp;&quot;c&quot;');
    expect(xmlText('x\u0000\u0008y\uFFFE\uD800z😀')).toBe('xyz😀');
    expect(xmlText('tab\tline\n')).toBe('tab\tline\n');
  });
});
