import type { MetricValueWithName, Registry } from 'prom-client';
import { LabelCache } from './label-cache';

/** One label set's observations. */
export interface HistogramChild {
  observe(value: number): void;
}

class Series implements HistogramChild {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Record<string, string>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length);
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) return;
    this.sum += value;
    this.count++;
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]) {
        this.counts[i]++;
        return;
      }
    }
  }
}

export interface FastHistogramOptions {
  name: string;
  help: string;
  labelNames: readonly string[];
  buckets: readonly number[];
  registers: Registry[];
  /** Bound on label sets (see LabelCache). */
  maxSeries?: number;
}

/**
 * A Prometheus histogram for the per-call hot path. prom-client's histogram validates and hashes the label set on
 * every `observe`, even through a cached `labels()` child; here a child is a plain object found by one Map lookup,
 * and observing is a bucket search and three additions. It registers in a prom-client Registry like any metric
 * (the registry only needs `name`, `help`, `type` and `get()`), so it is exported with the others.
 */
export class FastHistogram {
  readonly type = 'histogram' as const;
  readonly aggregator = 'sum' as const;
  readonly name: string;
  readonly help: string;
  private readonly series: Series[] = [];
  private readonly cache: LabelCache<Series>;

  constructor(private readonly options: FastHistogramOptions) {
    this.name = options.name;
    this.help = options.help;
    this.cache = new LabelCache((values) => {
      const labels = Object.fromEntries(options.labelNames.map((label, i) => [label, values[i]]));
      const series = new Series(labels, options.buckets);
      this.series.push(series);
      return series;
    }, options.maxSeries);
    for (const registry of options.registers) registry.registerMetric(this as never);
  }

  /** The child of one label set, in `labelNames` order. */
  labels(...values: string[]): HistogramChild {
    return this.cache.get(...values);
  }

  /** What a prom-client Registry reads at each scrape. */
  async get(): Promise<{ name: string; help: string; type: 'histogram'; aggregator: 'sum'; values: MetricValueWithName<string>[] }> {
    const values: MetricValueWithName<string>[] = [];
    for (const series of this.series) {
      let cumulative = 0;
      this.options.buckets.forEach((bound, i) => {
        cumulative += series.counts[i];
        values.push({ metricName: `${this.name}_bucket`, labels: { le: bound, ...series.labels }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf', ...series.labels }, value: series.count });
      values.push({ metricName: `${this.name}_sum`, labels: series.labels, value: series.sum });
      values.push({ metricName: `${this.name}_count`, labels: series.labels, value: series.count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    for (const series of this.series) {
      series.counts.fill(0);
      series.sum = 0;
      series.count = 0;
    }
  }
}
