/**
 * What the benchmarks share: the row type (each row says how it was measured), the throughput
 * helper (warm up, then timed rounds; it returns the statistic it used with the figure), and the
 * two ways a section can end without figures — `NotMeasured` for an explicitly optional peer or
 * stack that is absent (the row says so, the run still succeeds), and any other exception, which
 * is a failed check or a broken bench and fails `npm run bench` (bench/runner.ts).
 */
import { performance } from 'node:perf_hooks';

export interface BenchRow {
  /** What is measured. */
  name: string;
  /** Our figure. */
  value: number;
  unit: string;
  /** How the figure was obtained: rounds, round length, statistic (e.g. "best of 3 × 700 ms"). */
  method?: string;
  /** The peer or baseline to compare with, as text, saying whether it was measured in this run. */
  peer?: string;
  /** The floor the issue sets, if any (same unit as value). */
  floor?: number;
  note?: string;
  /** Overrides the floor verdict (e.g. a ratio against a baseline measured in the same run). */
  verdict?: string;
  /** A correctness check of this row failed (the figures are printed, and the run fails). */
  failed?: string;
  /** Set (the reason) on a row for an optional peer or stack that is absent: no figure. */
  notMeasured?: string;
}

/**
 * Thrown by a section (or a peer harness) whose optional prerequisite is absent on this machine —
 * the PC/SC stack, a Java toolchain: the table shows "not measured" with `message` as the reason
 * and the run does not fail. Never use it for a failed check.
 */
export class NotMeasured extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotMeasured';
  }
}

/** A rate and how it was measured, ready to spread into a BenchRow. */
export interface Rate {
  value: number;
  method: string;
}

export function opsPerSecond(op: () => void, opts: { ms?: number; batch?: number; rounds?: number } = {}): Rate {
  const ms = opts.ms ?? 700;
  const batch = opts.batch ?? 1000;
  const rounds = opts.rounds ?? 3;
  // Warm-up so the JIT has compiled the hot path.
  const warmEnd = performance.now() + 150;
  while (performance.now() < warmEnd) for (let i = 0; i < batch; i++) op();
  let best = 0;
  for (let r = 0; r < rounds; r++) best = Math.max(best, rateFor(op, ms, batch));
  return { value: best, method: `best of ${rounds} × ${ms} ms rounds (150 ms warm-up)` };
}

export function formatRate(v: number, unit: string): string {
  if (unit === 's' || unit === 'ms') return `${v.toFixed(2)} ${unit}`;
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)} M ${unit}`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(1)} k ${unit}`;
  return `${v.toFixed(0)} ${unit}`;
}

// ---------------------------------------------------------------------------------------------
// Paired rows (issue 20): ours and a reference measured in the same run, in interleaved rounds.
// ---------------------------------------------------------------------------------------------

/** The goal of a row: the same-run ratio ours ÷ reference must be `direction` `ratio`. */
export interface Goal {
  ratio: number;
  direction: '>=' | '<=';
}

/** One round's measurement: a figure in the row's unit (a rate, or a time for unit 's'). */
export type Measurement = () => Promise<number> | number;

/**
 * A row of the issue-20 table. The runner calls `setup`, then `check` (a wrong answer throws:
 * the row FAILS and `npm run bench` exits 1), one warm-up round of each side, then `rounds`
 * rounds in which `ours` and `reference` alternate (AB, BA, AB, …), then `teardown`. The ratio
 * is ours ÷ reference per round (paired), and the verdict compares its median with `goal`.
 * Keep each side's measurement in one small function so another one can be swapped in.
 */
export interface PairedRow {
  name: string;
  /** Unit of both figures: 'APDU/s', 'ops/s', … or 's' (a time: lower is better). */
  unit: string;
  goal: Goal;
  /** What the reference is, e.g. "node:crypto P-256 sign". */
  referenceLabel: string;
  /** How one round of each side is measured. */
  method: string;
  ours: Measurement;
  /** Absent when the reference cannot run here: then `quoted` says what was quoted instead. */
  reference?: Measurement;
  /** The reference figure quoted elsewhere (never measured here), shown "quoted, not measured here". */
  quoted?: QuotedReference;
  /** Rounds for this row when it differs from the run's (a long workload). */
  rounds?: number;
  /** false: no warm-up round (a workload of seconds, whose first round is as warm as the rest). */
  warmUp?: boolean;
  setup?: () => Promise<void> | void;
  check?: () => Promise<void> | void;
  teardown?: () => Promise<void> | void;
}

/** A reference figure quoted from elsewhere: a range in the row's unit, or only a quoted ratio. */
export interface QuotedReference {
  /** Where it comes from and why it is not measured here. */
  source: string;
  low?: number;
  high?: number;
  /** The ratio the source quoted, when it gives no absolute figure. */
  ratioText?: string;
}

/** How big the run is: `--quick` (CI smoke test) shortens rounds and workloads. */
export interface RunOptions {
  quick: boolean;
  /** Length of one timed round of a rate measurement. */
  roundMs: number;
  rounds: number;
}

export const FULL_RUN: RunOptions = { quick: false, roundMs: 500, rounds: 7 };
export const QUICK_RUN: RunOptions = { quick: true, roundMs: 60, rounds: 3 };

/** Operations per second of `op` over one round of about `ms` (batches of `batch` calls). */
export function rateFor(op: () => void, ms: number, batch = 1000): number {
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    for (let i = 0; i < batch; i++) op();
    n += batch;
    t = performance.now();
  }
  return (n * 1000) / (t - t0);
}

/** The same for an async operation (a transport round trip). */
export async function rateForAsync(op: () => Promise<unknown>, ms: number, batch = 50): Promise<number> {
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    for (let i = 0; i < batch; i++) await op();
    n += batch;
    t = performance.now();
  }
  return (n * 1000) / (t - t0);
}

/** Seconds taken by `op`. */
export async function secondsOf(op: () => Promise<unknown> | unknown): Promise<number> {
  const t0 = performance.now();
  await op();
  return (performance.now() - t0) / 1000;
}

export interface Stats {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function stats(xs: readonly number[]): Stats {
  if (xs.length === 0) throw new Error('stats of no values');
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0]!, max: s[s.length - 1]!, n: s.length };
}

/** Whether `ratio` meets `goal`. */
export function meetsGoal(ratio: number, goal: Goal): boolean {
  return goal.direction === '>=' ? ratio >= goal.ratio : ratio <= goal.ratio;
}
