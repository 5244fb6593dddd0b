/**
 * `sheetdiff <command> …`: a dispatch table of subcommands. `apikey` manages API keys; `diff`
 * (comparing two local files) is added by its own module in the same table.
 */
import { ConfigError } from '../config/env.js';
import { AppError } from '../errors/index.js';
import { apikeyCommand } from './commands/apikey.js';
import { diffCommand } from './commands/diff.js';
import { inspectCommand } from './commands/inspect.js';
import type { CliCommand, CliContext } from './types.js';

/** Subcommands by name; add one by adding an entry. */
export const COMMANDS: Record<string, CliCommand> = {
  apikey: apikeyCommand,
  diff: diffCommand,
  inspect: inspectCommand,
};

function help(ctx: CliContext): void {
  ctx.err('usage: sheetdiff <command> [args]');
  ctx.err('');
  for (const [name, cmd] of Object.entries(COMMANDS)) {
    ctx.err(`  ${name.padEnd(8)} ${cmd.summary}`);
    for (const u of cmd.usage) ctx.err(`             sheetdiff ${u}`);
  }
}

/** Runs one CLI invocation and resolves with its exit code (0 ok, 1 failure, 2 usage). */
export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    help(ctx);
    return name ? 0 : 2;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    ctx.err(`unknown command: ${name}`);
    help(ctx);
    return 2;
  }
  try {
    return await cmd.run(args, ctx);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof AppError) ctx.err(`sheetdiff ${name}: ${err.message}`);
    else ctx.err(`sheetdiff ${name}: ${(err as Error)?.stack ?? String(err)}`);
    return 1;
  }
}
