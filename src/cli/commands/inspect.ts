/**
 * `sheetdiff inspect FILE [FILE2] [--key COLS] [--sheet S] [--header-row N]`: the key assistant
 * on local files: per file the sheet read, its workbook's sheets and the header row (detected
 * unless given), per column uniqueness and completeness, suggested keys and duplicate groups,
 * as JSON.
 */
import { CompareOptionsSchema } from '../../contracts/jobs.js';
import { inspectKeys } from '../../domain/key-assistant.js';
import type { Table } from '../../domain/table.js';
import { AppError } from '../../errors/index.js';
import { formatFromName, readTable } from '../../sheets/read-table.js';
import type { CliCommand } from '../types.js';
import { parseArgs } from './args.js';

export const inspectCommand: CliCommand = {
  summary: 'key assistant: column uniqueness/completeness, suggested keys, duplicate groups (JSON)',
  usage: ['inspect FILE [FILE2] [--key COLS] [--sheet S] [--header-row N] [--max-rows N]'],
  async run(argv, ctx) {
    try {
      const a = parseArgs(argv, { key: 'list', sheet: 'string', 'header-row': 'number', 'max-rows': 'number' });
      if (a.positional.length < 1 || a.positional.length > 2) throw new Error('expected one or two files');
      const tables: Table[] = [];
      for (const f of a.positional) {
        const opts = { sheet: a.string('sheet'), preferSheet: tables[0]?.sheetName, headerRow: a.number('header-row'), maxRows: a.number('max-rows') ?? 5_000_000 };
        tables.push(await readTable(f, formatFromName(f), opts));
      }
      const report = inspectKeys(tables, { key: a.list('key'), options: CompareOptionsSchema.parse({}) });
      ctx.out(JSON.stringify(report, null, 2));
      return 0;
    } catch (err) {
      ctx.err(`sheetdiff inspect: ${err instanceof AppError ? `${err.code}: ${err.message}` : (err as Error).message}`);
      return 2;
    }
  },
};
