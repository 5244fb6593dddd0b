/**
 * A Dockerfile reader for the image checks: instructions (continuations joined, comments
 * dropped) grouped into build stages, with the exec-form arguments of CMD, ENTRYPOINT and
 * HEALTHCHECK parsed from their JSON arrays.
 */
import { readText } from './repo.js';

export interface Instruction { name: string; args: string; line: number }
export interface Stage { from: string; alias?: string; instructions: Instruction[] }

export function readDockerfile(rel: string): Stage[] {
  const stages: Stage[] = [];
  const lines = readText(rel).split('\n');
  let pending = '';
  let start = 0;
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) return;
    if (pending !== '' && line.startsWith('#')) return;
    if (pending === '') start = i + 1;
    pending += `${line.replace(/\\$/, '').trim()} `;
    if (line.endsWith('\\')) return;
    const [, name = '', args = ''] = /^(\S+)\s*(.*)$/.exec(pending.trim()) ?? [];
    pending = '';
    const ins = { name: name.toUpperCase(), args, line: start };
    if (ins.name === 'FROM') {
      const m = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!m) throw new Error(`${rel}:${start}: cannot read FROM ${args}`);
      stages.push({ from: m[1]!, ...(m[2] ? { alias: m[2] } : {}), instructions: [] });
    } else if (stages.length > 0) {
      stages[stages.length - 1]!.instructions.push(ins);
    }
  });
  return stages;
}

/** The JSON array of an exec-form instruction; shell form is refused (signals would go to sh). */
export function execForm(ins: Instruction | undefined, what: string): string[] {
  if (!ins) throw new Error(`${what}: missing`);
  const json = ins.name === 'HEALTHCHECK' ? ins.args.replace(/^.*?\bCMD\s+/, '') : ins.args;
  const parsed: unknown = JSON.parse(json);
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) throw new Error(`${what}: not exec form`);
  return parsed as string[];
}

/** The last instruction of a kind in a stage (the one Docker uses). */
export const last = (stage: Stage, name: string): Instruction | undefined =>
  [...stage.instructions].reverse().find((i) => i.name === name);

/** Variable names set by ENV instructions (`ENV A=1 B=2` and `ENV A 1`). */
export function envNames(stage: Stage): string[] {
  return stage.instructions
    .filter((i) => i.name === 'ENV')
    .flatMap((i) => (i.args.includes('=') ? [...i.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=/g)].map((m) => m[1]!) : [i.args.split(/\s+/)[0]!]));
}
