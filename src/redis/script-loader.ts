/**
 * Loads the Lua scripts in src/redis/scripts and runs them through ioredis `defineCommand`.
 *
 * Each script is registered under a name carrying a hash of its source (`sd_claim_1a2b3c4d`), so
 * two versions of a script can never be confused on a shared connection, and ioredis sends
 * EVALSHA with an automatic EVAL fallback after a Redis restart (NOSCRIPT).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';

export const SCRIPT_NAMES = [
  'claim',
  'create',
  'enqueue',
  'finish',
  'heartbeat',
  'job-note',
  'ledger',
  'order-transition',
  'progress',
  'promote',
  'publish',
  'requeue',
  'restore',
  'transition',
  'trim',
  'watch',
] as const;
export type ScriptName = (typeof SCRIPT_NAMES)[number];

interface LoadedScript {
  lua: string;
  command: string;
}

/** Helpers put in front of a script's source (scripts/batch-prelude.lua: the batched scripts'). */
const PRELUDES: Partial<Record<ScriptName, string>> = { claim: 'batch-prelude', finish: 'batch-prelude' };

function scriptPath(file: string): string {
  const here = fileURLToPath(new URL(`./scripts/${file}.lua`, import.meta.url));
  if (existsSync(here)) return here;
  // Compiled code (dist/src/redis) reads the scripts from the source tree when the build did not copy them.
  return fileURLToPath(new URL(`../../../src/redis/scripts/${file}.lua`, import.meta.url));
}

const cache = new Map<ScriptName, LoadedScript>();

/** The source and command name of one script (read once per process). */
export function loadScript(name: ScriptName): LoadedScript {
  let s = cache.get(name);
  if (!s) {
    const prelude = PRELUDES[name];
    // Line numbers in a script's Redis errors count the prelude's lines too.
    const lua = (prelude ? `${readFileSync(scriptPath(prelude), 'utf8')}\n` : '') + readFileSync(scriptPath(name), 'utf8');
    const hash = createHash('sha1').update(lua).digest('hex').slice(0, 10);
    s = { lua, command: `sd_${name}_${hash}` };
    cache.set(name, s);
  }
  return s;
}

type ScriptCommand = (...args: (string | number)[]) => Promise<unknown>;

/** Runs a script with explicit KEYS and ARGV, defining it on this connection on first use. */
export function runScript(redis: Redis, name: ScriptName, keys: readonly string[], argv: readonly (string | number)[]): Promise<unknown> {
  const s = loadScript(name);
  const commands = redis as unknown as Record<string, ScriptCommand | undefined>;
  let cmd = commands[s.command];
  if (typeof cmd !== 'function') {
    redis.defineCommand(s.command, { lua: s.lua });
    cmd = commands[s.command]!;
  }
  return cmd.call(redis, keys.length, ...keys, ...argv);
}

/** One script invocation: its KEYS and ARGV, and how to read its reply. */
export interface ScriptCall<T> {
  name: ScriptName;
  keys: readonly string[];
  argv: readonly (string | number)[];
  parse(raw: unknown): T;
}

/** Runs one prepared call. */
export async function runCall<T>(redis: Redis, call: ScriptCall<T>): Promise<T> {
  return call.parse(await runScript(redis, call.name, call.keys, call.argv));
}

/**
 * Sends several calls back to back on one connection (ioredis keeps their order; they travel
 * together and share the round trip); each result settles on its own, so one failing script
 * does not lose the others' replies.
 *
 * Not an ioredis pipeline: building one copies every defined script onto a new object (~20 µs
 * here), which at one job in flight is paid on every job.
 */
export function runCalls(redis: Redis, calls: readonly ScriptCall<unknown>[]): Promise<PromiseSettledResult<unknown>[]> {
  return Promise.allSettled(calls.map((c) => runCall(redis, c)));
}
