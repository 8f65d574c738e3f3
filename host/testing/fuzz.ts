/**
 * fuzz(card, opts): the fuzz oracle (oracle.ts) over random, declaration-guided and corpus-mutated
 * APDU sessions against any card — a user's applet included — each session from the same starting
 * state (a snapshot), with fast-check's seeded, shrinking runner. Throws FuzzViolation (the rule,
 * the exchange and the session that led to it) on the first exchange that breaks the oracle.
 */
import fc from 'fast-check';
import { ALL_COMMANDS, type CommandSpec } from '../../apdu-specs/index.js';
import type { Card } from '../../card/runtime/index.js';
import { encode, sessionArb } from './arbitraries.js';
import { SessionChecker } from './oracle.js';

export interface FuzzOptions {
  /** Commands the random part is guided by (default: every declared command). */
  readonly specs?: readonly CommandSpec[];
  /** A real session's commands: replayed as prefixes and mutated (default: one well-formed command per spec). */
  readonly corpus?: readonly Uint8Array[];
  readonly seed?: number;
  /** Sessions to run (default 200). */
  readonly numRuns?: number;
  /** Stop after this long (ms), whatever numRuns says. */
  readonly timeMs?: number;
  /** Commands per session (default 25). */
  readonly maxOps?: number;
}

export interface FuzzReport {
  readonly sessions: number;
  readonly exchanges: number;
  /** How often each status word was answered. */
  readonly sws: ReadonlyMap<number, number>;
}

/** One well-formed command per declaration: its first declared case, zero-filled data. */
function defaultCorpus(specs: readonly CommandSpec[]): Uint8Array[] {
  return specs.map((s) => {
    const c = s.cases[0]!;
    const fixed = (s.command ?? []).reduce((n, f) => n + (typeof f.length === 'number' ? f.length : 0), 0);
    return encode([s.cla.value, s.ins, 0, 0], c, new Uint8Array(c === 3 || c === 4 ? Math.max(1, fixed) : 0), 0, false);
  });
}

export function fuzz(card: Card, opts: FuzzOptions = {}): FuzzReport {
  const specs = opts.specs ?? ALL_COMMANDS;
  const corpus = opts.corpus?.length ? [...opts.corpus] : defaultCorpus(specs);
  if (!card.isPowered) card.powerOn();
  const start = card.snapshot();
  const sws = new Map<number, number>();
  let sessions = 0;
  let exchanges = 0;
  fc.assert(
    fc.property(sessionArb(corpus, opts.maxOps ?? 25, specs), (s) => {
      sessions++;
      card.restore(start);
      const checker = new SessionChecker(card);
      const run = (bytes: Uint8Array): void => {
        const r = checker.exchange(bytes);
        exchanges++;
        const sw = (r[r.length - 2]! << 8) | r[r.length - 1]!;
        sws.set(sw, (sws.get(sw) ?? 0) + 1);
      };
      for (let i = 0; i < s.prefix; i++) run(corpus[i]!);
      for (const op of s.ops) {
        if (op.kind === 'reset') checker.reset();
        else run(op.bytes);
      }
    }),
    { ...(opts.seed !== undefined ? { seed: opts.seed } : {}), numRuns: opts.numRuns ?? 200, ...(opts.timeMs !== undefined ? { interruptAfterTimeLimit: opts.timeMs, markInterruptAsFailure: false } : {}) },
  );
  card.restore(start);
  return { sessions, exchanges, sws };
}
