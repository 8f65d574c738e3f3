/**
 * One fuzz campaign against one target: fast-check sessions (golden prefix, then random / spec-
 * guided / mutated APDUs and resets), each from the freshly personalized card, every exchange
 * checked by the oracle. Used by the short tests in `npm test` and by `npm run fuzz` (long mode).
 */
import fc from 'fast-check';
import { sessionArb } from './arbitraries.js';
import { SessionChecker } from './oracle.js';
import type { FuzzTarget } from './targets.js';
import { loadGolden } from '../golden/transcript.js';

export interface FuzzOptions {
  seed: number;
  /** Stop after this many sessions… */
  numRuns?: number;
  /** …or after this many ms (whichever comes first). */
  timeMs?: number;
  maxOps?: number;
}

export interface FuzzStats {
  sessions: number;
  exchanges: number;
  sws: Map<number, number>;
}

export function fuzzTarget(target: FuzzTarget, opts: FuzzOptions): FuzzStats {
  const corpus = target.corpus ? [...target.corpus] : loadGolden(target.name).map((e) => e.command);
  const stats: FuzzStats = { sessions: 0, exchanges: 0, sws: new Map() };
  fc.assert(
    fc.property(sessionArb(corpus, opts.maxOps), (s) => {
      stats.sessions++;
      target.fresh();
      const checker = new SessionChecker(target.card);
      const run = (bytes: Uint8Array): void => {
        const r = checker.exchange(bytes);
        stats.exchanges++;
        const sw = (r[r.length - 2]! << 8) | r[r.length - 1]!;
        stats.sws.set(sw, (stats.sws.get(sw) ?? 0) + 1);
      };
      for (let i = 0; i < s.prefix; i++) run(corpus[i]!);
      for (const op of s.ops) {
        if (op.kind === 'reset') checker.reset();
        else run(op.bytes);
      }
    }),
    {
      seed: opts.seed,
      numRuns: opts.numRuns ?? 1_000_000_000,
      ...(opts.timeMs !== undefined ? { interruptAfterTimeLimit: opts.timeMs, markInterruptAsFailure: false } : {}),
    },
  );
  return stats;
}
