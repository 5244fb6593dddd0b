/** Kinds of `--name value` options a command accepts; `flag` takes no value. */
export type ArgSpec = Record<string, 'string' | 'number' | 'list' | 'flag'>;

/** Parsed command line: positional arguments and typed accessors for the options. */
export interface ParsedArgs {
  positional: string[];
  string(name: string): string | undefined;
  number(name: string): number | undefined;
  /** Comma-separated values of a repeatable option, in order. */
  list(name: string): string[];
  flag(name: string): boolean;
}

/** Parses `args` against `spec`. @throws Error naming an unknown option or a missing/bad value. */
export function parseArgs(args: readonly string[], spec: ArgSpec): ParsedArgs {
  const positional: string[] = [];
  const values = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const kind = spec[name];
    if (!kind) throw new Error(`unknown option --${name}`);
    let v = 'true';
    if (kind !== 'flag') {
      const next = eq >= 0 ? a.slice(eq + 1) : args[++i];
      if (next === undefined) throw new Error(`--${name} needs a value`);
      v = next;
      if (kind === 'number' && !Number.isFinite(Number(v))) throw new Error(`--${name} wants a number, got ${v}`);
    }
    values.set(name, [...(values.get(name) ?? []), v]);
  }
  const last = (n: string): string | undefined => values.get(n)?.at(-1);
  return {
    positional,
    string: last,
    number: (n) => (last(n) === undefined ? undefined : Number(last(n))),
    list: (n) => (values.get(n) ?? []).flatMap((v) => v.split(',')).map((s) => s.trim()).filter((s) => s !== ''),
    flag: (n) => values.has(n),
  };
}
