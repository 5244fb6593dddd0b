/**
 * The Markdown tables `bench:queue` prints: throughput with CPU per job, the instrumentation
 * overhead (--observability), enqueue-to-start latency and the per-command breakdown.
 */
import type { Sample } from './probe.js';

export interface Results {
  /** `${engine}@${inflight}` → one sample per rep. */
  throughput: Map<string, Sample[]>;
  /** engine → p50 and p99 (ms) per rep. */
  latency: Map<string, { p50: number[]; p99: number[] }>;
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const label = (n: string) => (n === 'bullmq' ? 'BullMQ' : n);
const f0 = (x: number) => Math.round(x).toLocaleString('en-US');
const f1 = (x: number) => x.toFixed(1);
const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)} %`;

export function throughputTable(r: Results, [a, b]: [string, string], inflight: number[], n: number, reps: number): string[] {
  const [A, B] = [label(a), label(b)];
  const lines = [
    '', `### Queue throughput (${n} no-op jobs, median of ${reps})`, '',
    `| in flight | ${A} (jobs/s) | ${B} (jobs/s) | ${A} / ${B} | Redis CPU µs/job ${A} | ${B} | process CPU µs/job ${A} | ${B} |`,
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const i of inflight) {
    const sa = r.throughput.get(`${a}@${i}`)!;
    const sb = r.throughput.get(`${b}@${i}`)!;
    const m = (s: Sample[], k: 'rate' | 'procUs' | 'redisUs') => median(s.map((x) => x[k]));
    lines.push(
      `| ${i} | ${f0(m(sa, 'rate'))} | ${f0(m(sb, 'rate'))} | ${(m(sa, 'rate') / m(sb, 'rate')).toFixed(2)}× | ` +
        `${f1(m(sa, 'redisUs'))} | ${f1(m(sb, 'redisUs'))} | ${f1(m(sa, 'procUs'))} | ${f1(m(sb, 'procUs'))} |`,
    );
  }
  return lines;
}

/** Redis instructions per job (--redis-instructions). */
export function instructionTable(r: Results, [a, b]: [string, string], inflight: number[], n: number, reps: number): string[] {
  const [A, B] = [label(a), label(b)];
  const lines = [
    '', `### Redis instructions per job (callgrind, ${n} no-op jobs, median of ${reps})`, '',
    `| in flight | ${A} | ${B} | ${B} / ${A} |`, '| ---: | ---: | ---: | ---: |',
  ];
  for (const i of inflight) {
    const ia = median(r.throughput.get(`${a}@${i}`)!.map((x) => x.redisIr ?? NaN));
    const ib = median(r.throughput.get(`${b}@${i}`)!.map((x) => x.redisIr ?? NaN));
    lines.push(`| ${i} | ${f0(ia)} | ${f0(ib)} | ${(ib / ia).toFixed(2)}× |`);
  }
  return lines;
}

/**
 * Overhead of `b` over `a` from paired runs (the same rep and in-flight setting, run back to back):
 * the median of the per-pair ratios cancels the slow drift of the machine's load.
 */
export function overheadTable(r: Results, [a, b]: [string, string], inflight: number[], reps: number): string[] {
  const lines = [
    '', `### Instrumentation overhead: ${b} over ${a} (median of ${reps} paired runs; range in brackets)`, '',
    '| in flight | process CPU per job | jobs/s lost | Redis CPU per job |',
    '| ---: | ---: | ---: | ---: |',
  ];
  const cell = (xs: number[]) => `${signed(median(xs))} [${signed(Math.min(...xs))} … ${signed(Math.max(...xs))}]`;
  for (const i of inflight) {
    const sa = r.throughput.get(`${a}@${i}`)!;
    const sb = r.throughput.get(`${b}@${i}`)!;
    const pairs = sa.map((x, k) => [x, sb[k]!] as const);
    lines.push(
      `| ${i} | ${cell(pairs.map(([x, y]) => (y.procUs / x.procUs - 1) * 100))} | ` +
        `${cell(pairs.map(([x, y]) => (1 - y.rate / x.rate) * 100))} | ${cell(pairs.map(([x, y]) => (y.redisUs / x.redisUs - 1) * 100))} |`,
    );
  }
  return lines;
}

export function latencyTable(r: Results, [a, b]: [string, string], samples: number, reps: number): string[] {
  const lines = [
    '', `### Enqueue-to-start latency, low load (${samples} jobs one at a time, median of ${reps})`, '',
    '| | p50 (ms) | p99 (ms) |', '| --- | ---: | ---: |',
  ];
  for (const e of [a, b]) {
    const m = r.latency.get(e)!;
    lines.push(`| ${label(e)} | ${median(m.p50).toFixed(3)} | ${median(m.p99).toFixed(3)} |`);
  }
  const o = r.latency.get(a)!;
  const q = r.latency.get(b)!;
  lines.push(`| ${label(a)} / ${label(b)} | ${(median(o.p50) / median(q.p50)).toFixed(2)}× | ${(median(o.p99) / median(q.p99)).toFixed(2)}× |`);
  return lines;
}

/** Calls and µs per job of each Redis command (commands inside scripts count in both rows). */
export function commandTable(samples: [string, Sample][], inflight: number): string[] {
  const names = new Set<string>();
  for (const [, s] of samples) for (const k of s.commands.keys()) names.add(k);
  const first = samples[0]![1];
  const order = [...names].sort((x, y) => (first.commands.get(y)?.usPerJob ?? 0) - (first.commands.get(x)?.usPerJob ?? 0));
  const lines = [
    '', `### Redis commands per job at ${inflight} in flight (last rep; commands run by scripts also count in the script's time)`, '',
    `| command | ${samples.map(([n]) => `${label(n)} calls/job | ${label(n)} µs/job`).join(' | ')} |`,
    `| --- | ${samples.map(() => '---: | ---:').join(' | ')} |`,
  ];
  for (const c of order) {
    const cells = samples.map(([, s]) => {
      const x = s.commands.get(c);
      return x ? `${x.callsPerJob.toFixed(2)} | ${x.usPerJob.toFixed(2)}` : '– | –';
    });
    lines.push(`| ${c} | ${cells.join(' | ')} |`);
  }
  return lines;
}

/**
 * The instrumentation's own CPU per job (hook calls in a tight loop) against the bare consumer's
 * process CPU per job at each in-flight setting: the throughput it can cost at most.
 */
export function hookTable(h: { bareNs: number; instrumentedNs: number }, r: Results, bare: string, inflight: number[]): string[] {
  const extra = h.instrumentedNs - h.bareNs;
  const lines = [
    '', `### Instrumentation CPU per job, measured apart from the queue (hook calls in a tight loop, median of alternating rounds)`, '',
    `bare hooks ${h.bareNs.toFixed(0)} ns/job, instrumented ${h.instrumentedNs.toFixed(0)} ns/job: the instrumentation adds ${extra.toFixed(0)} ns of process CPU per job.`,
    '', '| in flight | bare process CPU per job | instrumentation share (upper bound on throughput lost) |', '| ---: | ---: | ---: |',
  ];
  for (const i of inflight) {
    const s = r.throughput.get(`${bare}@${i}`);
    if (!s) continue;
    const procNs = median(s.map((x) => x.procUs)) * 1000;
    lines.push(`| ${i} | ${(procNs / 1000).toFixed(1)} µs | ${((extra / procNs) * 100).toFixed(2)} % |`);
  }
  return lines;
}
