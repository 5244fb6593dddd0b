/**
 * What the workers' instrumentation adds to each job in this process, measured apart from the
 * queue: the consumer's per-job hook calls (handler wrapper, settled, count) run in a tight loop,
 * once as the bare consumer makes them and once as the worker processes wire them, alternating
 * rounds. A loop of ~10⁵ jobs gives its CPU time per job to a few nanoseconds even on a busy
 * machine, where a whole queue run only gives it to a few percent.
 */
import type { Envelope } from '../../src/contracts/index.js';
import type { JobContext, Outcome, SettledJob } from '../../src/streams/index.js';
import { jobObserver } from '../../workers/shared/job-observer.js';
import { median } from './report.js';

/** CPU time per job (ns) of the hook calls, bare and instrumented; medians of `rounds` alternating rounds. */
export async function hookCost(rounds = 9, jobs = 200_000): Promise<{ bareNs: number; instrumentedNs: number }> {
  const msg: Envelope = { v: 1, type: 'CompareRequested', id: 'm', jobId: 'j', payload: {} };
  const ctx = { jobId: 'j', attempt: 1 } as JobContext;
  const out: Outcome = { to: 'compared', event: { type: 'compared' } };
  const handler = async (_m: Envelope, _c: JobContext): Promise<Outcome | null> => out;
  let done = 0;
  const onDone = () => void done++;
  const observe = jobObserver('bench-hooks', () => 0);
  const wrapped = observe.wrap(handler);
  // The same calls the consumer makes per job in bench/queue/engines.ts (`count` for claimed and completed).
  interface Hooks {
    handle(m: Envelope, c: JobContext): Promise<Outcome | null>;
    onSettled(s: SettledJob): unknown;
    onCount: ((what: 'claimed' | 'completed', n: number) => void) | undefined;
  }
  const variants: Record<'bare' | 'instrumented', Hooks> = {
    bare: {
      handle: handler,
      onSettled: (s: SettledJob) => s.result === 'completed' && onDone(),
      onCount: undefined,
    },
    instrumented: {
      handle: wrapped,
      onSettled: (s: SettledJob) => {
        observe.settled(s);
        if (s.result === 'completed') onDone();
      },
      onCount: observe.count,
    },
  };
  const round = async (v: Hooks) => {
    const c0 = process.cpuUsage();
    for (let i = 0; i < jobs; i++) {
      v.onCount?.('claimed', 1);
      await v.handle(msg, ctx);
      v.onCount?.('completed', 1);
      v.onSettled({ jobId: 'j', entryId: '1-0', result: 'completed', durationMs: i % 50, to: 'compared' });
    }
    const c = process.cpuUsage(c0);
    return ((c.user + c.system) * 1000) / jobs;
  };
  const bare: number[] = [];
  const instrumented: number[] = [];
  await round(variants.bare); // warm-up (JIT)
  await round(variants.instrumented);
  for (let r = 0; r < rounds; r++) {
    bare.push(await round(variants.bare));
    instrumented.push(await round(variants.instrumented));
  }
  return { bareNs: median(bare), instrumentedNs: median(instrumented) };
}
