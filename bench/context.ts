import { BenchRun } from './infra';
import { BenchOptions } from './options';
import { Figure, ratioOf } from './report';

/** What every benchmark gets: the run's resources, the options, and where its findings go. */
export interface BenchContext {
  run: BenchRun;
  options: BenchOptions;
  /** Records and prints a figure. */
  figure(f: Figure): void;
  /** Records what else a benchmark saw, under its name. */
  detail(key: string, value: unknown): void;
  /** Where the CPU profiles of a group of services go (`<work dir>/profiles/<what>`), when profiling. */
  profileDir(what: string): string | undefined;
  /** Marks when the profiled services of `what` start and stop being measured (the profiles' summaries keep only that span). */
  profileMark(what: string, edge: 'from' | 'to'): void;
}

/**
 * A cost (CPU time per call or per event) beside the baseline's: the ratio is the baseline's cost
 * over this one, so that, as for throughput, 1 means as cheap as the baseline.
 */
export function costFigure(bench: Figure['bench'], name: string, unit: string, value: number, baseline: { name: string; value: number }, note: string): Figure {
  return { bench, name, unit, value, baseline, ratio: value > 0 ? baseline.value / value : null, note };
}

/** A throughput figure beside its baseline, judged by `minRatio` when given. */
export function throughputFigure(
  bench: Figure['bench'],
  name: string,
  value: number | null,
  baseline: { name: string; value: number | null },
  minRatio?: number,
  note?: string,
): Figure {
  const ratio = ratioOf(value, baseline.value);
  return {
    bench,
    name,
    unit: 'events/s',
    value,
    baseline,
    ratio,
    ...(minRatio !== undefined ? { target: { text: `at least ${Math.round(minRatio * 100)}% of the baseline`, pass: ratio !== null && ratio >= minRatio } } : {}),
    ...(note ? { note } : {}),
  };
}
