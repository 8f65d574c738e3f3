/**
 * Fuzzing the whole seeds card (SIM on channel 0, payment on 1, ledger on 2), short mode, seeded:
 * the oracle of test/fuzz/oracle.ts over commands that cross channels and applets. Guards: a
 * command on one channel changing another applet's state on an error, a secret of one applet
 * leaking through another, session facts opening a gate they should not.
 */
import { describe, it } from 'vitest';
import { seedsTarget } from './targets.js';
import { quickFuzz } from './fuzz-quick.js';

describe('fuzz: the seeds card across logical channels', () => {
  it('every exchange satisfies the oracle (seed 97)', async () => {
    quickFuzz(await seedsTarget(), 97);
  }, 60_000);
});
