#!/usr/bin/env node
/**
 * CLI entry (`npx sheetdiff …`, package bin dist/src/cli/main.js); the only CLI file that reads
 * process.env and process.argv.
 */
import { runCli } from './run.js';

const code = await runCli(process.argv.slice(2), {
  env: process.env,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
process.exitCode = code;
