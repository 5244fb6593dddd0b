/**
 * What one timed phase of `bench:queue` cost: wall time, this process's CPU (user+sys) and the
 * Redis server's main-thread CPU, plus the per-command counts and times of INFO commandstats
 * (commands run inside Lua scripts are counted there too, and also inside the script's own time).
 *
 * CPU per job is far steadier than jobs/s on a machine whose cores other processes share: a busy
 * neighbour stretches the wall time of a run, not the CPU each job needs.
 */
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';

/** One command's counters from INFO commandstats. */
export interface CommandStat {
  calls: number;
  usec: number;
}

interface Snapshot {
  wallMs: number;
  cpu: NodeJS.CpuUsage;
  redisCpuS: number;
  commands: Map<string, CommandStat>;
}

/** The cost of one phase, per job where it says so. */
export interface Sample {
  /** Jobs per second of wall time. */
  rate: number;
  /** This process's CPU (user+sys) per job, µs. */
  procUs: number;
  /** Redis main-thread CPU per job, µs. */
  redisUs: number;
  /** Per command: calls per job and µs per job (INFO commandstats). */
  commands: Map<string, { callsPerJob: number; usPerJob: number }>;
  /** Redis machine instructions per job (only with --redis-instructions). */
  redisIr?: number;
}

export interface Probe {
  /** Takes the starting snapshot (call right before the phase starts). */
  begin(): Promise<void>;
  /** Takes the closing snapshot; `jobs` is how many jobs the phase ran. */
  end(jobs: number): Promise<Sample>;
}

async function snapshot(redis: Redis): Promise<Snapshot> {
  const [cpuInfo, cmdInfo] = await Promise.all([redis.info('cpu'), redis.info('commandstats')]);
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(cpuInfo)?.[1] ?? NaN);
  // Redis ≥ 6.2 reports the main thread apart from I/O and background threads.
  let redisCpuS = field('used_cpu_user_main_thread') + field('used_cpu_sys_main_thread');
  if (!Number.isFinite(redisCpuS)) redisCpuS = field('used_cpu_user') + field('used_cpu_sys');
  const commands = new Map<string, CommandStat>();
  for (const m of cmdInfo.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) {
    commands.set(m[1]!, { calls: Number(m[2]), usec: Number(m[3]) });
  }
  return { wallMs: performance.now(), cpu: process.cpuUsage(), redisCpuS, commands };
}

/** A probe on `redis` (a connection to the server the phase runs on). */
export function createProbe(redis: Redis): Probe {
  let start: Snapshot | undefined;
  return {
    async begin() {
      start = await snapshot(redis);
    },
    async end(jobs) {
      const s = start;
      if (!s) throw new Error('probe.end before probe.begin');
      // Wall and process CPU first: the INFO round trip below is not part of the phase.
      const wallMs = performance.now() - s.wallMs;
      const cpu = process.cpuUsage(s.cpu);
      const e = await snapshot(redis);
      const commands = new Map<string, { callsPerJob: number; usPerJob: number }>();
      for (const [name, c] of e.commands) {
        const b = s.commands.get(name) ?? { calls: 0, usec: 0 };
        // The two INFO calls of the opening snapshot land in the window; they are not the phase's.
        const calls = c.calls - b.calls - (name === 'info' ? 2 : 0);
        if (calls > 0) commands.set(name, { callsPerJob: calls / jobs, usPerJob: (c.usec - b.usec) / jobs });
      }
      return {
        rate: jobs / (wallMs / 1000),
        procUs: ((cpu.user + cpu.system) / jobs),
        redisUs: ((e.redisCpuS - s.redisCpuS) * 1e6) / jobs,
        commands,
      };
    },
  };
}
