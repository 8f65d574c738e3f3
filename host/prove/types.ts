/**
 * Protocol proofs: a suite drives one protocol against any Transport (the emulator or a card in
 * a reader), checks the results with the host back-ends, and records one row per check:
 * (check, expected, got, verdict). Destructive checks (blocking a PIN) run only when asked.
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
  readonly destructive: boolean;
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
}

export interface Suite {
  readonly name: string;
  readonly description: string;
  /** Needs the profile's secrets (keys, PINs) to check results. */
  readonly needsProfile: boolean;
  run(ctx: SuiteContext): Promise<void>;
}
