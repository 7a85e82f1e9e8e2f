// Counters and gauges the node keeps about itself (blocks imported, reorgs, mempool size...).
// Injected as `modules.metrics`; `snapshot()` is what a future metrics endpoint will serve.
export interface Metrics {
  inc(name: string, by?: number): void;
  set(name: string, value: number): void;
  /** A sample of a histogram (durations in seconds). */
  observe?(name: string, value: number): void;
  snapshot(): Record<string, number>;
}

export class SimpleMetrics implements Metrics {
  private readonly values = new Map<string, number>();
  inc(name: string, by = 1): void {
    this.values.set(name, (this.values.get(name) ?? 0) + by);
  }
  set(name: string, value: number): void {
    this.values.set(name, value);
  }
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.values].sort(([a], [b]) => (a < b ? -1 : 1)));
  }
}
