/**
 * Throughput measurement shared by the benchmarks: warm up, then run batches until the time is
 * up and report operations per second (the best of three rounds, to damp noise on shared CPUs).
 */
import { performance } from 'node:perf_hooks';

export interface BenchRow {
  /** What is measured. */
  name: string;
  /** Our figure. */
  value: number;
  unit: string;
  /** The peer or baseline to compare with, as text (e.g. "jCardSim 3.0.5: 4.3–4.7 M/s"). */
  peer?: string;
  /** The floor the issue sets, if any (same unit as value). */
  floor?: number;
  note?: string;
  /** Overrides the floor verdict (e.g. a ratio against a baseline measured in the same run). */
  verdict?: string;
}

export function opsPerSecond(op: () => void, opts: { ms?: number; batch?: number; rounds?: number } = {}): number {
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
  return best;
}

export function formatRate(v: number, unit: string): string {
  if (unit === 's' || unit === 'ms') return `${v.toFixed(2)} ${unit}`;
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)} M ${unit}`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(1)} k ${unit}`;
  return `${v.toFixed(0)} ${unit}`;
}
