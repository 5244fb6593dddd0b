/**
 * The CLI's command contract: each subcommand is a small object in the dispatch table of
 * run.ts, receives its arguments and a context, and returns an exit code.
 */
export interface CliContext {
  /** Environment variables (read through loadConfig, never process.env directly). */
  env: Record<string, string | undefined>;
  /** One line to stdout (machine-readable results). */
  out(line: string): void;
  /** One line to stderr (messages for humans). */
  err(line: string): void;
}

export interface CliCommand {
  /** One line for `sheetdiff help`. */
  summary: string;
  usage: string[];
  run(args: string[], ctx: CliContext): Promise<number>;
}
