import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { HotHistogram } from '../../../src/observability/hot-histogram.js';

const BUCKETS = [0.005, 0.01, 0.1, 1, 10];
const samples: [Record<string, string>, number][] = [
  [{ stream: 'compare', outcome: 'completed' }, 0.003],
  [{ stream: 'compare', outcome: 'completed' }, 0.01], // on a bound: counted in that bucket (le)
  [{ stream: 'compare', outcome: 'completed' }, 0.4],
  [{ stream: 'compare', outcome: 'failed' }, 12], // past the last bound: only +Inf
  [{ stream: 'payment', outcome: 'completed' }, 0],
];

describe('HotHistogram', () => {
  it("renders exactly what prom-client's Histogram renders for the same observations", async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const hot = new HotHistogram('t_duration_seconds', 'help text', ['stream', 'outcome'], BUCKETS, ours);
    const ref = new Histogram({ name: 't_duration_seconds', help: 'help text', labelNames: ['stream', 'outcome'], buckets: BUCKETS, registers: [theirs] });
    for (const [labels, v] of samples) {
      hot.child(labels).observe(v);
      ref.observe(labels, v);
    }
    const text = await ours.metrics();
    expect(text).toBe(await theirs.metrics());
    expect(text).toContain('t_duration_seconds_bucket{le="0.01",stream="compare",outcome="completed"} 2');
    expect(text).toContain('t_duration_seconds_count{stream="compare",outcome="failed"} 1');
  });

  it('hands out one child per label set, counts and resets', async () => {
    const reg = new Registry();
    const hot = new HotHistogram('t2_seconds', 'h', ['stream'], BUCKETS, reg);
    const a = hot.child({ stream: 'a' });
    expect(hot.child({ stream: 'a' })).toBe(a);
    a.observe(1);
    a.observe(2);
    expect(a.count).toBe(2);
    expect([...hot.all()]).toHaveLength(1);
    reg.resetMetrics();
    expect(a.count).toBe(0);
    expect(await reg.metrics()).toContain('t2_seconds_count{stream="a"} 0');
  });
});
