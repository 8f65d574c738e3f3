/**
 * Fuzzing the payment applet (short mode, seeded): the oracle of test/fuzz/oracle.ts over random,
 * spec-guided and golden-mutated APDUs. Guards: an exception escaping the runtime, an undeclared
 * SW, state changed by a refused command, a leaked key or code, a try counter bought back.
 */
import { describe, it } from 'vitest';
import { paymentTarget } from './targets.js';
import { quickFuzz } from './fuzz-quick.js';

describe('fuzz: payment', () => {
  it('every exchange satisfies the oracle (seed 97)', async () => {
    quickFuzz(await paymentTarget(), 97);
  }, 30_000);
});
