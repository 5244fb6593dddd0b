/**
 * `sheetdiff diff OLD NEW --key COLS …`: the service's diff engine on two local files, no
 * server. Exit codes follow diff tools: 0 equal, 1 different, 2 error.
 */
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname } from 'node:path';
import { CompareOptionsSchema } from '../../contracts/jobs.js';
import { buildPreview } from '../../domain/preview.js';
import { AppError } from '../../errors/index.js';
import { diffFiles } from '../../sheets/diff/diff-files.js';
import { formatFromName } from '../../sheets/read-table.js';
import { writeDiffCsv } from '../../sheets/write-diff-csv.js';
import { writeDiffXlsx } from '../../sheets/write-diff-xlsx.js';
import type { CliCommand } from '../types.js';
import { parseArgs, type ArgSpec } from './args.js';

const SPEC: ArgSpec = {
  key: 'list',
  sheet: 'string',
  'header-row': 'number',
  format: 'string',
  out: 'string',
  options: 'string',
  'ignore-columns': 'list',
  'spill-mb': 'number',
  'max-rows': 'number',
  'print-result': 'flag',
  keyless: 'flag',
};

export const diffCommand: CliCommand = {
  summary: 'diff two spreadsheet files by key (exit 0 equal, 1 different, 2 error)',
  usage: [
    'diff OLD NEW --key COLS|--keyless [--sheet S] [--header-row N] [--format xlsx|csv|json] --out FILE',
    '     [--options JSON] [--ignore-columns A,B] [--spill-mb N] [--max-rows N]',
  ],
  async run(argv, ctx) {
    try {
      const a = parseArgs(argv, SPEC);
      const [oldPath, newPath] = a.positional;
      if (!oldPath || !newPath || a.positional.length > 2) throw new Error('expected two files: OLD NEW');
      if (a.list('key').length === 0 && !a.flag('keyless')) throw new Error('--key COLS is required (or --keyless to align rows as a sequence)');
      const out = a.string('out');
      if (!out) throw new Error('--out FILE is required');
      const format = a.string('format') ?? (extname(out).slice(1).toLowerCase() || 'csv');
      if (format !== 'xlsx' && format !== 'csv' && format !== 'json') throw new Error(`--format must be xlsx, csv or json, not ${format}`);
      const options = CompareOptionsSchema.parse({
        ...(a.string('options') ? (JSON.parse(a.string('options')!) as object) : {}),
        ...(a.string('sheet') && { sheet: a.string('sheet') }),
        ...(a.number('header-row') && { headerRow: a.number('header-row') }),
        ...(a.list('ignore-columns').length && { ignoreColumns: a.list('ignore-columns') }),
      });
      const result = await diffFiles(
        { path: oldPath, format: formatFromName(oldPath) },
        { path: newPath, format: formatFromName(newPath) },
        { key: a.list('key'), options },
        {
          sheet: options.sheet,
          headerRow: options.headerRow,
          maxRows: a.number('max-rows') ?? 100_000_000,
          maxCells: Number.MAX_SAFE_INTEGER,
          spillBytes: (a.number('spill-mb') ?? 256) * 2 ** 20,
          tmpDir: tmpdir(),
        },
      );
      if (format === 'xlsx') {
        await writeDiffXlsx(result, { oldName: basename(oldPath), newName: basename(newPath), options, key: result.summary.key }, createWriteStream(out));
      } else if (format === 'csv') await writeDiffCsv(result, createWriteStream(out));
      else await writeFile(out, JSON.stringify(buildPreview(result, { limit: Number.MAX_SAFE_INTEGER })));
      const s = result.summary;
      await writeFile(`${out}.summary.json`, JSON.stringify(s, null, 2));
      const r = s.rows;
      const differ = r.added + r.removed + r.changed + r.duplicateKeys + s.columns.added.length + s.columns.removed.length > 0;
      ctx.out(
        `${differ ? 'different' : 'equal'}: ${r.added} added, ${r.removed} removed, ${r.changed} changed (${s.changedCells} cells), ` +
          `${r.duplicateKeys} duplicate-key rows, ${r.unchanged} unchanged; columns +${s.columns.added.length} -${s.columns.removed.length}; wrote ${out}`,
      );
      if (a.flag('print-result')) {
        ctx.out(`RESULT ${JSON.stringify({ added: r.added, removed: r.removed, changedRows: r.changed, changedCells: s.changedCells })}`);
      }
      return differ ? 1 : 0;
    } catch (err) {
      ctx.err(`sheetdiff diff: ${err instanceof AppError ? `${err.code}: ${err.message}` : (err as Error).message}`);
      return 2;
    }
  },
};
