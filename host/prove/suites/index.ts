/**
 * The protocol suites `cardforge prove` knows, in the order they run, and the named groups that
 * select them: one group per seed flow (`seed-NNN-<flow>`, see README "Seeds → proofs") and the
 * aliases (`sim`, `all`). A name on the command line is a suite name or a group name.
 *
 * Adding a check for a new seed flow: write a Suite in suites/<flow>.ts (declare its destructive
 * checks in `checks` and gate them with ctx.allowed), add it to SUITES, and list its name in the
 * seed group below (or add a group `seed-NNN-<flow>`).
 */
import type { Suite } from '../types.js';
import { pinSuite, gsmAuthSuite, usimAuthSuite, aocSuite } from './sim.js';
import { paymentSuite } from './payment.js';
import { ledgerSuite } from './ledger.js';
import { authResultSuite } from './docomo.js';
import { mallProfileSuite } from './mall.js';
import { cardNumberSuite, mallForwardSuite } from './seeds.js';
import { walletSuite } from './wallet.js';
import { ticketsSuite } from './tickets.js';

export const SUITES: readonly Suite[] = [pinSuite, gsmAuthSuite, usimAuthSuite, aocSuite, paymentSuite, walletSuite, authResultSuite, cardNumberSuite, mallProfileSuite, mallForwardSuite, ledgerSuite, ticketsSuite];

export function suiteNames(): string[] {
  return SUITES.map((s) => s.name);
}

/** A named selection of suites: a seed flow, or an alias. */
export interface SuiteGroup {
  readonly name: string;
  /** The seed document (../shared/seeds/NNN_*.txt) for a seed flow. */
  readonly seed?: string;
  readonly description: string;
  /** Suite names, in SUITES order when run. */
  readonly suites: readonly string[];
  /** Flows whose checks are still being built: what is missing. */
  readonly inProgress?: string;
}

export const SUITE_GROUPS: readonly SuiteGroup[] = [
  { name: 'sim', description: 'the SIM/USIM suites (no back-end keys needed)', suites: ['pin', 'gsm-auth', 'usim-auth', 'aoc'] },
  { name: 'all', description: 'every suite (the default)', suites: SUITES.map((s) => s.name) },
  {
    name: 'seed-000-identification', seed: '000',
    description: 'SFR: subscriber identified (RUN GSM ALGORITHM, SRES checked by the AuC), payment code, signed purchase accepted by the payment server; e-wallet: purse below the threshold, payment card above',
    suites: ['payment', 'wallet'],
  },
  {
    name: 'seed-001-auth-result', seed: '001',
    description: 'NTT DoCoMo: authentication result with expiry and device id; per-transaction encrypted card number',
    suites: ['auth-result', 'card-number'],
  },
  {
    name: 'seed-002-tickets', seed: '002',
    description: 'mobile e-commerce: tickets on the card — issued by the issuer, validated once at a gate (signed), transferred to another card, refunded with proof',
    suites: ['tickets'],
  },
  {
    name: 'seed-003-mall-profile', seed: '003',
    description: 'Mall Service: personal information enciphered by the authentication server, released after PIN approval, re-enciphered for settlement',
    suites: ['mall-profile', 'mall-forward'],
  },
  {
    name: 'seed-004-pay-per-use', seed: '004',
    description: 'France Telecom: certified card key, issuer-certified editor key (REGISTER EDITOR), editor-signed offer for the card challenge, consent, debit once, receipt, export, settlement',
    suites: ['ledger'],
  },
];

/** The names that are neither a suite nor a group. */
export function unknownSuiteNames(names: readonly string[]): string[] {
  return names.filter((n) => !SUITES.some((s) => s.name === n) && !SUITE_GROUPS.some((g) => g.name === n));
}

/** What to say about unknown names: the suites and groups there are. */
export function unknownSuiteMessage(unknown: readonly string[]): string {
  return `unknown suite ${unknown.join(', ')}; suites are: ${suiteNames().join(', ')}; groups: ${SUITE_GROUPS.map((g) => g.name).join(', ')}`;
}

/** The suites named (suite or group names; none = all), in SUITES order, each once; unknown names throw. */
export function selectSuites(names: readonly string[]): Suite[] {
  if (!names.length) return [...SUITES];
  const unknown = unknownSuiteNames(names);
  if (unknown.length) throw new Error(unknownSuiteMessage(unknown));
  const wanted = new Set(names.flatMap((n) => SUITE_GROUPS.find((g) => g.name === n)?.suites ?? [n]));
  return SUITES.filter((s) => wanted.has(s.name));
}

/** The groups named that have checks still being built (for the CLI to say so). */
export function inProgressGroups(names: readonly string[]): SuiteGroup[] {
  return SUITE_GROUPS.filter((g) => names.includes(g.name) && g.inProgress !== undefined);
}
