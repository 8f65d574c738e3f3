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
  for (let r = 0; r < rounds; r++) {
    let n = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < ms) {
      for (let i = 0; i < batch; i++) op();
      n += batch;
      t = performance.now();
    }
    best = Math.max(best, (n * 1000) / (t - t0));
  }
  return { value: best, method: `best of ${rounds} × ${ms} ms rounds (150 ms warm-up)` };
}

export function formatRate(v: number, unit: string): string {
  if (unit === 's' || unit === 'ms') return `${v.toFixed(2)} ${unit}`;
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)} M ${unit}`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(1)} k ${unit}`;
  return `${v.toFixed(0)} ${unit}`;
}
