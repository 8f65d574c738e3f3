/**
 * Fuzzing the loopback applet (short mode, seeded): the oracle of test/fuzz/oracle.ts over random,
 * spec-guided and golden-mutated APDUs. Guards: an exception escaping the runtime, an undeclared
 * SW, state changed by a refused command, a leaked secret, a try counter bought back.
 */
import { describe, it } from 'vitest';
import { loopbackTarget } from './targets.js';
import { quickFuzz } from './fuzz-quick.js';

describe('fuzz: loopback', () => {
  it('every exchange satisfies the oracle (seed 98)', () => {
    quickFuzz(loopbackTarget(), 98);
  }, 30_000);
});
