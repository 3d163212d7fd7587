/** Small statistics for latency samples (milliseconds unless said otherwise). */

/** The p-quantile (0..1) of `values`, nearest-rank on a sorted copy; NaN for no values. */
export function quantile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * p) - 1))]!;
}
export const median = (values: ArrayLike<number>) => quantile(values, 0.5);

/** "12.3 ms", with fewer decimals as numbers grow. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return '?';
  return `${value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)} ms`;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}
export function summarise(values: ArrayLike<number>): LatencySummary {
  return { count: values.length, p50: quantile(values, 0.5), p95: quantile(values, 0.95), p99: quantile(values, 0.99), max: quantile(values, 1) };
}

export const sleep = (msToWait: number) => new Promise<void>((resolve) => setTimeout(resolve, msToWait));
