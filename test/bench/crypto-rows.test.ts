/**
 * bench/crypto-rows.ts (issue 20): the paired-rounds arithmetic (rates from the counted time, the
 * per-round ratio, medians and min–max, the order alternating each round) and a failing workload
 * failing the row. No real timing is asserted: the workloads here report made-up times.
 */
import { describe, expect, it } from 'vitest';
import { pairedRounds, type Timed } from '../../bench/crypto-rows.js';

describe('pairedRounds', () => {
  it('rates from the counted time, per-round ratios, medians and spread; A and B alternate who goes first', () => {
    let order = '';
    let calls = 0;
    const cost = [1, 2, 1.5]; // ms per op of A, cycling: 1000, 500, 666.67 ops/s
    const a: Timed = (n) => {
      order += 'a';
      return n * cost[calls++ % 3]!;
    };
    const b: Timed = (n) => {
      order += 'b';
      return n * 0.5; // 2000 ops/s: two batches of 10 to count 10 ms
    };
    const m = pairedRounds(a, b, { rounds: 5, ms: 10, batchA: 10, batchB: 10 });
    // Warm-up (a, bb), then rounds 0..4 alternating the order.
    expect(order).toBe('abb' + 'abb' + 'bba' + 'abb' + 'bba' + 'abb');
    expect(m.b).toEqual({ median: 2000, min: 2000, max: 2000 });
    // A's rounds are calls 1..5 of the cycle: 500, 666.67, 1000, 500, 666.67.
    expect(m.a.median).toBeCloseTo(666.667, 2);
    expect(m.a.min).toBeCloseTo(500, 6);
    expect(m.a.max).toBeCloseTo(1000, 6);
    expect(m.ratio.median).toBeCloseTo(1 / 3, 6);
    expect(m.ratio.min).toBeCloseTo(0.25, 6);
    expect(m.ratio.max).toBeCloseTo(0.5, 6);
  });

  it('a workload whose check fails fails the row', () => {
    const ok: Timed = (n) => n;
    const bad: Timed = () => {
      throw new Error('AUTHENTICATE row: answer 6982 is not DB … 9000');
    };
    expect(() => pairedRounds(ok, bad, { rounds: 1, ms: 1 })).toThrow('AUTHENTICATE row: answer 6982 is not DB … 9000');
  });
});
