/**
 * Protocol proofs: a suite drives one protocol against any Transport (the emulator or a card in
 * a reader), checks the results with the host back-ends, and records one row per check:
 * (check, expected, got, verdict).
 *
 * Destructive checks — anything that spends money (payment SIGN, ledger DEBIT/LOAD), spends or
 * blocks a code try (a wrong PIN or payment code presented), or moves a meter (INCREASE on
 * EF_ACM) — are declared on their suite (`checks: [{ name, destructive: true, effect }]`) and
 * gated by the runner: a suite asks `ctx.allowed(name)` before the APDUs of such a check; without
 * --destructive the runner records the skip ("destructive: pass --destructive") and answers false.
 * AUTHENTICATE / RUN GSM ALGORITHM with fresh AuC vectors is not destructive: it moves the card's
 * SQN exactly as every network attach does (a network whose HLR is behind resynchronises from
 * AUTS, TS 33.102 §6.3.5).
 */
import type { CommandSpec } from '../../apdu-specs/index.js';
import type { CommandFields, Transport } from '../transport/index.js';
import type { Profile } from '../profile/schema.js';
import type { BackendActors } from '../backend/actors.js';

export type Verdict = 'pass' | 'fail' | 'skip';

export interface CheckRow {
  readonly suite: string;
  readonly check: string;
  readonly expected: string;
  readonly got: string;
  readonly verdict: Verdict;
  readonly note?: string;
}

export interface Exchange {
  readonly data: Uint8Array;
  readonly sw: number;
  /** SW as 4 lower-case hex digits. */
  readonly swHex: string;
}

export interface SuiteContext {
  readonly transport: Transport;
  /** The profile the card was personalized from (keys for the AuC, PINs); undefined if none given. */
  readonly profile: Profile | undefined;
  /** The issuers and servers of the card programme (payment and ledger suites). */
  readonly actors: BackendActors | undefined;
  /**
   * Whether --destructive was given. Informational only: gate a destructive check with
   * `allowed(name)` (declared on the suite), never with `if (ctx.destructive)`.
   */
  readonly destructive: boolean;
  /**
   * The runner's gate for a declared check: true when it may run now. A check declared
   * `destructive: true` without --destructive records a skip row (name, "destructive: pass
   * --destructive (effect)") and answers false. A name the suite did not declare throws.
   */
  allowed(check: string): boolean;
  /** Send raw bytes (hex or Uint8Array); the answer as the transport gave it. */
  send(command: Uint8Array | string): Promise<Exchange>;
  /**
   * Send a declared command (host/transport commandFor: CLA/INS from the spec, class and case
   * checked); a 61xx/9Fxx/6Cxx answer is completed with the transport's GET RESPONSE loop (t0.ts).
   */
  command(spec: CommandSpec, fields?: CommandFields): Promise<Exchange>;
  /** Record a check; `ok` defaults to expected === got. Returns whether it passed. */
  check(check: string, expected: string, got: string, ok?: boolean, note?: string): boolean;
  skip(check: string, reason: string): void;
  /**
   * Record a check that later checks need (a selection, a stored profile, an answer the rest
   * works on). When it passes, returns and the suite goes on. When it fails, the runner records
   * each of `dependants` as a skip row ("skipped: depends on <check> which failed") and ends the
   * suite there (it throws a DependencyFailed the runner catches), so a dependant never vanishes
   * from the report and never runs on a state its prerequisite did not reach.
   */
  require(check: string, expected: string, got: string, dependants: readonly string[], ok?: boolean, note?: string): void;
}

/** A check a suite declares (the runner gates it; `prove --list` prints it). */
export interface CheckDecl {
  /** The name passed to ctx.allowed and of the skip row. */
  readonly name: string;
  /** Spends money, spends or blocks a code try, or moves a meter. */
  readonly destructive: true;
  /** What it spends or changes on the card, in words ("spends a PIN1 try (restored)"). */
  readonly effect: string;
}

export interface Suite {
  readonly name: string;
  readonly description: string;
  /** Needs the profile's secrets (keys, PINs) to check results. */
  readonly needsProfile: boolean;
  /** The destructive checks of this suite, each gated by the runner (ctx.allowed). */
  readonly checks?: readonly CheckDecl[];
  run(ctx: SuiteContext): Promise<void>;
}
