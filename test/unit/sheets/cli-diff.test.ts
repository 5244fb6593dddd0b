import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/run.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sd-cli-'));
  await writeFile(join(dir, 'a.csv'), 'id,v\n1,x\n2,y\n');
  await writeFile(join(dir, 'b.csv'), 'id,v\n1,x\n2,z\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function cli(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { env: {}, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

describe('sheetdiff diff / inspect', () => {
  it('exits 0 for equal files and writes the summary beside the output', async () => {
    const out = join(dir, 'same.csv');
    const r = await cli('diff', join(dir, 'a.csv'), join(dir, 'a.csv'), '--key', 'id', '--out', out);
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(/^equal: 0 added, 0 removed, 0 changed/);
    expect(JSON.parse(await readFile(`${out}.summary.json`, 'utf8')).rows.unchanged).toBe(2);
  });

  it('exits 1 when the files differ, in every output format', async () => {
    for (const f of ['csv', 'xlsx', 'json']) {
      const out = join(dir, `d.${f}`);
      const r = await cli('diff', join(dir, 'a.csv'), join(dir, 'b.csv'), '--key', 'id', '--out', out, '--print-result');
      expect(r.code).toBe(1);
      expect(r.out[1]).toBe('RESULT {"added":0,"removed":0,"changedRows":1,"changedCells":1}');
      expect((await readFile(out)).length).toBeGreaterThan(0);
    }
    expect(JSON.parse(await readFile(join(dir, 'd.json'), 'utf8')).changes[0].cells[0]).toEqual({ column: 1, old: 'y', new: 'z' });
  });

  it('exits 2 with a coded reason on errors', async () => {
    const r = await cli('diff', join(dir, 'a.csv'), join(dir, 'b.csv'), '--key', 'nope', '--out', join(dir, 'x.csv'));
    expect(r.code).toBe(2);
    expect(r.err[0]).toMatch(/key_column_not_found/);
    expect((await cli('diff', join(dir, 'a.csv'), '--out', 'x')).code).toBe(2);
    expect((await cli('diff', join(dir, 'a.csv'), join(dir, 'missing.csv'), '--key', 'id', '--out', join(dir, 'y.csv'))).code).toBe(2);
  });

  it('reports moved columns and suggested renames, and compares a renamed pair as one with --rename', async () => {
    await writeFile(join(dir, 'c.csv'), 'id,Total,v\n1,10,x\n2,20,y\n3,30,z\n');
    await writeFile(join(dir, 'd.csv'), 'Report,,\n,,\nv,id,Amount\nx,1,10\ny,2,20\nz,3,30\n');
    const out = join(dir, 'cd.csv');
    const r = await cli('diff', join(dir, 'c.csv'), join(dir, 'd.csv'), '--key', 'id', '--out', out);
    expect(r.code).toBe(1);
    expect(r.out[0]).toMatch(/columns \+1 -1 moved 1;/);
    expect(r.out.slice(1)).toEqual([
      'moved: v from column C to A (first)',
      "renamed? Total → Amount: 3 of 3 rows agree; compare them as one with --rename 'Total=Amount'",
    ]);
    expect(JSON.parse(await readFile(`${out}.summary.json`, 'utf8')).headerRows).toEqual({ old: 1, new: 3 });
    const applied = await cli('diff', join(dir, 'c.csv'), join(dir, 'd.csv'), '--key', 'id', '--rename', 'Total=Amount', '--out', out);
    expect(applied.out[0]).toMatch(/^different: 0 added, 0 removed, 0 changed .* columns \+0 -0 moved 1;/);
    const same = await cli('diff', join(dir, 'c.csv'), join(dir, 'c.csv'), '--key', 'id', '--new-header-row', '1', '--out', out);
    expect(same.code).toBe(0);
  });

  it('inspect reports the detected header row and the sheets', async () => {
    await writeFile(join(dir, 'titled.csv'), 'Stock report\n\nid,v\n1,a\n2,b\n');
    const r = await cli('inspect', join(dir, 'titled.csv'));
    expect(JSON.parse(r.out.join('\n')).files[0]).toMatchObject({ sheet: 'Sheet1', sheets: ['Sheet1'], headerRow: 3, headerRowDetected: true, rows: 2 });
    const chosen = await cli('inspect', join(dir, 'titled.csv'), '--header-row', '3');
    expect(JSON.parse(chosen.out.join('\n')).files[0]).toMatchObject({ headerRow: 3, headerRowDetected: false });
  });

  it('inspect prints the key report as JSON', async () => {
    const r = await cli('inspect', join(dir, 'a.csv'), join(dir, 'b.csv'));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out.join('\n')).suggestedKeys).toEqual([['id'], ['v']]);
  });
});
