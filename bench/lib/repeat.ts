// Shared helpers of the bench suites: every timed figure is repeated (a warm-up, then `runs` timed
// runs) and printed as min / median / max; goals are stated against the median; the machine's load
// average is sampled while a suite runs (other jobs on the same cores move every figure).
// A suite imports what it needs:
//   import { repeat, fmtMs, goal, quick } from './lib/repeat.ts';
//   const s = await repeat(() => work(), { runs: 5 });
//   console.log(`work: ${fmtMs(s)}  ${goal('<= 10 ms', s.median <= 10)}`);
import os from 'node:os';

/** `npm run bench -- --quick ...`: a smoke run (fewer runs, fewer shapes); suites read this flag. */
export const quick: boolean = process.argv.includes('--quick') || process.env.TESSERA_BENCH_QUICK === '1';

/** Timed runs per figure: at least 5 (2 in --quick mode). */
export const RUNS: number = quick ? 2 : 5;

export interface Stats {
  /** The samples in the order they were taken (milliseconds for timings). */
  readonly runs: readonly number[];
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

export interface RepeatOptions {
  /** Timed runs after the warm-up (default RUNS; never fewer than RUNS unless quick). */
  runs?: number;
  /** Untimed runs first (default 1). */
  warmup?: number;
}

/** Statistics of a list of samples (any unit). */
export function stats(samples: readonly number[]): Stats {
  if (samples.length === 0) throw new RangeError('stats of no samples');
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { runs: [...samples], min: s[0]!, median, max: s[s.length - 1]! };
}

/** Runs `fn` `warmup` times untimed, then `runs` times timed; milliseconds. */
export async function repeat(fn: () => unknown, opts: RepeatOptions = {}): Promise<Stats> {
  const runs = Math.max(opts.runs ?? RUNS, quick ? 1 : RUNS);
  for (let i = 0; i < (opts.warmup ?? 1); i++) await fn();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  return stats(t);
}

/**
 * Interleaved repetition of several figures: per run, each of `fns` is timed once (`inner` calls, the
 * mean per call), in order; after a warm-up of each. Returns one Stats per fn whose `runs` line up run
 * by run, so that ratios can be taken within a run (`ratioStats`): on a shared machine the load moves
 * between runs far more than between two calls of one run.
 */
export async function repeatEach(fns: readonly (() => unknown)[], opts: RepeatOptions & { inner?: number } = {}): Promise<Stats[]> {
  const runs = Math.max(opts.runs ?? RUNS, quick ? 1 : RUNS);
  const inner = Math.max(1, opts.inner ?? 1);
  for (const fn of fns) for (let i = 0; i < (opts.warmup ?? 1); i++) await fn();
  const t: number[][] = fns.map(() => []);
  for (let i = 0; i < runs; i++)
    for (let f = 0; f < fns.length; f++) {
      const t0 = performance.now();
      for (let j = 0; j < inner; j++) await fns[f]!();
      t[f]!.push((performance.now() - t0) / inner);
    }
  return t.map(stats);
}

/** Per-run f(a, b) of two Stats from one repeatEach (e.g. overhead = b / a - 1). */
export function ratioStats(a: Stats, b: Stats, f: (a: number, b: number) => number): Stats {
  return stats(a.runs.map((x, i) => f(x, b.runs[i]!)));
}

/** Applies `f` to every sample (GOPS from ms: min and max swap, stats() sorts again). */
export function mapStats(s: Stats, f: (x: number) => number): Stats {
  return stats(s.runs.map(f));
}

/** "median (min-max) unit", e.g. "1.23 ms (1.10-1.50)". */
export function fmt(s: Stats, unit = 'ms', digits = 2): string {
  return `${s.median.toFixed(digits)} ${unit} (${s.min.toFixed(digits)}-${s.max.toFixed(digits)})`;
}

export function fmtMs(s: Stats, digits = 2): string {
  return fmt(s, 'ms', digits);
}

/** A goal stated against the median: "goal <= 10%: met (median 8.1%)". */
export function goal(what: string, met: boolean): string {
  return `goal ${what}: ${met ? 'met' : 'NOT met'} (median)`;
}

/** The 1, 5 and 15-minute load averages and the core count, as one string. */
export function loadNow(): string {
  const [a, b, c] = os.loadavg();
  return `load ${a!.toFixed(2)} ${b!.toFixed(2)} ${c!.toFixed(2)} on ${os.cpus().length} cores`;
}

/**
 * Samples the 1-minute load average every `everyMs` while a suite runs (timer unref'd; a suite that
 * blocks its thread delays samples, it does not lose the start/end ones).
 */
export class LoadMeter {
  private readonly samples: number[] = [];
  private timer?: NodeJS.Timeout;

  start(everyMs = 1000): this {
    this.samples.push(os.loadavg()[0]!);
    this.timer = setInterval(() => this.samples.push(os.loadavg()[0]!), everyMs);
    this.timer.unref();
    return this;
  }

  /** Stops sampling; "load (1-min avg) min/median/max a/b/c over N samples, C cores". */
  stop(): string {
    if (this.timer) clearInterval(this.timer);
    this.samples.push(os.loadavg()[0]!);
    const s = stats(this.samples);
    return `load average (1 min) while it ran: median ${s.median.toFixed(2)} (${s.min.toFixed(2)}-${s.max.toFixed(2)}), ${os.cpus().length} cores`;
  }
}
