/**
 * `sheetdiff diff OLD NEW --key COLS …`: the service's diff engine on two local files, no
 * server. Exit codes follow diff tools: 0 equal, 1 different, 2 error.
 */
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname } from 'node:path';
import { CompareOptionsSchema } from '../../contracts/jobs.js';
import { AppError } from '../../errors/index.js';
import { diffFiles } from '../../sheets/diff/diff-files.js';
import { formatFromName } from '../../sheets/read-table.js';
import { writeDiffCsv } from '../../sheets/write-diff-csv.js';
import { writeDiffJson } from '../../sheets/write-diff-json.js';
import { writeDiffXlsx } from '../../sheets/write-diff-xlsx.js';
import type { CliCommand } from '../types.js';
import { parseArgs, type ArgSpec } from './args.js';

const SPEC: ArgSpec = {
  key: 'list',
  sheet: 'string',
  'old-sheet': 'string',
  'new-sheet': 'string',
  'header-row': 'number',
  'old-header-row': 'number',
  'new-header-row': 'number',
  rename: 'list',
  format: 'string',
  out: 'string',
  options: 'string',
  'ignore-columns': 'list',
  'spill-mb': 'number',
  'strings-mb': 'number',
  'changes-mb': 'number',
  'max-rows': 'number',
  'print-result': 'flag',
  keyless: 'flag',
};

export const diffCommand: CliCommand = {
  summary: 'diff two spreadsheet files by key (exit 0 equal, 1 different, 2 error)',
  usage: [
    'diff OLD NEW --key COLS|--keyless [--sheet S] [--header-row N] [--format xlsx|csv|json] --out FILE',
    '     [--old-sheet S] [--new-sheet S] [--old-header-row N] [--new-header-row N] [--rename OLD=NEW,…]',
    '     [--options JSON] [--ignore-columns A,B] [--spill-mb N] [--strings-mb N] [--changes-mb N]',
    '     [--max-rows N]',
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
      const fromJson = a.string('options') ? (JSON.parse(a.string('options')!) as { renames?: Record<string, string> }) : {};
      const renames = a.list('rename').map((r) => {
        const eq = r.indexOf('=');
        if (eq <= 0 || eq === r.length - 1) throw new Error(`--rename wants OLD=NEW, got ${r}`);
        return [r.slice(0, eq).trim(), r.slice(eq + 1).trim()] as const;
      });
      const options = CompareOptionsSchema.parse({
        ...fromJson,
        ...(a.string('sheet') && { sheet: a.string('sheet') }),
        ...(a.string('old-sheet') && { oldSheet: a.string('old-sheet') }),
        ...(a.string('new-sheet') && { newSheet: a.string('new-sheet') }),
        ...(a.number('header-row') && { headerRow: a.number('header-row') }),
        ...(a.number('old-header-row') && { oldHeaderRow: a.number('old-header-row') }),
        ...(a.number('new-header-row') && { newHeaderRow: a.number('new-header-row') }),
        ...(a.list('ignore-columns').length && { ignoreColumns: a.list('ignore-columns') }),
        ...(renames.length && { renames: { ...fromJson.renames, ...Object.fromEntries(renames) } }),
      });
      const result = await diffFiles(
        { path: oldPath, format: formatFromName(oldPath) },
        { path: newPath, format: formatFromName(newPath) },
        { key: a.list('key'), options },
        {
          maxRows: a.number('max-rows') ?? 100_000_000,
          maxCells: Number.MAX_SAFE_INTEGER,
          spillBytes: (a.number('spill-mb') ?? 256) * 2 ** 20,
          ...(a.number('strings-mb') !== undefined && { sharedStringsBytes: a.number('strings-mb')! * 2 ** 20 }),
          ...(a.number('changes-mb') !== undefined && { changesBytes: a.number('changes-mb')! * 2 ** 20 }),
          tmpDir: tmpdir(),
        },
      );
      try {
        if (format === 'xlsx') {
          await writeDiffXlsx(result, { oldName: basename(oldPath), newName: basename(newPath), options, key: result.summary.key }, createWriteStream(out));
        } else if (format === 'csv') await writeDiffCsv(result, createWriteStream(out));
        else await writeDiffJson(result, createWriteStream(out));
      } finally {
        await result.changes.close();
      }
      const s = result.summary;
      await writeFile(`${out}.summary.json`, JSON.stringify(s, null, 2));
      const r = s.rows;
      const c = s.columns;
      // a moved column changes the file even when every cell matches; an applied rename does not
      const differ = r.added + r.removed + r.changed + r.duplicateKeys + c.added.length + c.removed.length + c.moved.length > 0;
      ctx.out(
        `${differ ? 'different' : 'equal'}: ${r.added} added, ${r.removed} removed, ${r.changed} changed (${s.changedCells} cells), ` +
          `${r.duplicateKeys} duplicate-key rows, ${r.unchanged} unchanged; columns +${c.added.length} -${c.removed.length} moved ${c.moved.length}; wrote ${out}`,
      );
      if (a.flag('print-result')) {
        ctx.out(`RESULT ${JSON.stringify({ added: r.added, removed: r.removed, changedRows: r.changed, changedCells: s.changedCells })}`);
      }
      for (const m of c.moved) ctx.out(`moved: ${m.name} from column ${m.oldColumn} to ${m.newColumn}${m.after ? ` (after ${m.after})` : ' (first)'}`);
      for (const x of c.suggestedRenames) {
        ctx.out(`renamed? ${x.old} → ${x.new}: ${x.matchingRows} of ${x.rowsWithValues} rows agree; compare them as one with --rename '${x.old}=${x.new}'`);
      }
      return differ ? 1 : 0;
    } catch (err) {
      ctx.err(`sheetdiff diff: ${err instanceof AppError ? `${err.code}: ${err.message}` : (err as Error).message}`);
      return 2;
    }
  },
};
