/** What one benchmark reports: measured figures next to a baseline measured in the same run. */
export interface BenchRow {
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
  /** The same measure on the baseline, in the same run; the ratio is value / baseline. */
  readonly baseline?: number | undefined;
  /** The ratio the product aims for (at most), if any. */
  readonly target?: number | undefined;
}

export interface BenchReport {
  readonly name: string;
  readonly baselineName?: string | undefined;
  readonly rows: readonly BenchRow[];
}

export type Bench = () => Promise<BenchReport>;

export const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
