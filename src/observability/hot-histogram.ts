/**
 * A Prometheus histogram for per-job hot paths: each label set is bound once (`child`), and an
 * observation is a bucket search and three additions, with no allocation, label hashing or
 * validation (prom-client's `Histogram.observe` does all three on every call, which costs more
 * than the rest of a no-op job's bookkeeping in this process).
 *
 * It registers on prom-client's registry like any metric and renders exactly what a prom-client
 * `Histogram` with the same observations renders (test/unit/observability/hot-histogram.test.ts).
 */
import { register, type Metric, type Registry } from 'prom-client';

/** One bound label set: cumulative counts are computed only when rendered. */
export interface HotHistogramChild {
  readonly labels: Readonly<Record<string, string>>;
  /** Observations so far (never reset while the process runs). */
  readonly count: number;
  observe(value: number): void;
}

class Child implements HotHistogramChild {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(
    readonly labels: Readonly<Record<string, string>>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length);
  }

  observe(value: number): void {
    const b = this.bounds;
    let i = 0;
    while (i < b.length && value > b[i]!) i++;
    if (i < b.length) this.counts[i]! += 1;
    this.sum += value;
    this.count += 1;
  }
}

interface Value {
  labels: Record<string, string | number>;
  value: number;
  metricName: string;
}

/** See the module comment. Label values must be bounded (kinds, outcomes), like any label. */
export class HotHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly children = new Map<string, Child>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    private readonly bounds: readonly number[],
    registry: Registry = register,
  ) {
    // The registry reads `name`, `help`, `type`, `aggregator`, `get()` and `reset()`.
    registry.registerMetric(this as unknown as Metric);
  }

  /** The child for one label set (created on first use, then reused: keep the reference). */
  child(labels: Record<string, string>): HotHistogramChild {
    const key = this.labelNames.map((n) => labels[n] ?? '').join('\u0000');
    let c = this.children.get(key);
    if (!c) this.children.set(key, (c = new Child({ ...labels }, this.bounds)));
    return c;
  }

  /** Every label set observed so far. */
  all(): Iterable<HotHistogramChild> {
    return this.children.values();
  }

  get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Value[] }> {
    const values: Value[] = [];
    const bucket = `${this.name}_bucket`;
    for (const c of this.children.values()) {
      let acc = 0;
      this.bounds.forEach((le, i) => {
        acc += c.counts[i]!;
        values.push({ labels: { le, ...c.labels }, value: acc, metricName: bucket });
      });
      values.push({ labels: { le: '+Inf', ...c.labels }, value: c.count, metricName: bucket });
      values.push({ labels: { ...c.labels }, value: c.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...c.labels }, value: c.count, metricName: `${this.name}_count` });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }

  reset(): void {
    for (const c of this.children.values()) {
      c.counts.fill(0);
      c.sum = 0;
      c.count = 0;
    }
  }
}
