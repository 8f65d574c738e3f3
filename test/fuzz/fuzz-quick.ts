/** Shared body of the short per-applet fuzz tests in `npm test` (seeded, a few seconds each). */
import { expect } from 'vitest';
import { fuzzTarget } from './run.js';
import type { FuzzTarget } from './targets.js';

export const QUICK_MS = 4_000;

export function quickFuzz(target: FuzzTarget, seed: number): void {
  const stats = fuzzTarget(target, { seed, timeMs: QUICK_MS, numRuns: 3_000 });
  expect(stats.exchanges).toBeGreaterThan(200);
  // The fuzzer reaches success paths too, not only the dispatcher's refusals.
  expect(stats.sws.get(0x9000) ?? 0).toBeGreaterThan(0);
}
