/**
 * Fuzzing the Issuer Security Domain (short mode, seeded; issue 21): the oracle of
 * test/fuzz/oracle.ts over random, spec-guided and golden-mutated APDUs after (parts of) a real
 * SCP03 / SCP02 session. Guards: an exception escaping the runtime, an undeclared SW, state changed
 * by a refused command (a PUT KEY with a bad KCV, an illegal SET STATUS, a bad C-MAC …), a key
 * value in a response, the authentication try counter bought back without a right cryptogram.
 */
import { describe, it } from 'vitest';
import { isdTarget } from './targets.js';
import { quickFuzz } from './fuzz-quick.js';

describe('fuzz: isd', () => {
  it('every exchange satisfies the oracle (seed 21)', () => {
    quickFuzz(isdTarget(), 21);
  }, 30_000);
});
