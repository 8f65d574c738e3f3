/**
 * Fuzzing the ledger applet (short mode, seeded): the oracle of test/fuzz/oracle.ts over random,
 * spec-guided and golden-mutated APDUs. Guards: an exception escaping the runtime, an undeclared
 * SW, state changed by a refused command, a leaked secret, a try counter bought back.
 */
import { describe, it } from 'vitest';
import { ledgerTarget } from './targets.js';
import { quickFuzz } from './fuzz-quick.js';

describe('fuzz: ledger', () => {
  it('every exchange satisfies the oracle (seed 96)', () => {
    quickFuzz(ledgerTarget(), 96);
  }, 30_000);
});
