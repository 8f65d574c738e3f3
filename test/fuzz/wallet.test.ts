/**
 * Fuzzing the e-wallet applet (short mode, seeded; seed 000, issue 18): the oracle of
 * test/fuzz/oracle.ts over random, spec-guided and golden-mutated APDUs. Guards: an exception
 * escaping the runtime, an undeclared SW, state changed by a refused command (PAY above the
 * threshold, replayed LOAD …), a leaked secret.
 */
import { describe, it } from 'vitest';
import { walletTarget } from './targets.js';
import { quickFuzz } from './fuzz-quick.js';

describe('fuzz: wallet', () => {
  it('every exchange satisfies the oracle (seed 18)', () => {
    quickFuzz(walletTarget(), 18);
  }, 30_000);
});
