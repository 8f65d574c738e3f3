/** The protocol suites `cardforge prove` knows, in the order they run. */
import type { Suite } from '../types.js';
import { pinSuite, gsmAuthSuite, usimAuthSuite, aocSuite } from './sim.js';
import { paymentSuite } from './payment.js';
import { ledgerSuite } from './ledger.js';
import { docomoSuite, mallSuite } from './seeds.js';

export const SUITES: readonly Suite[] = [pinSuite, gsmAuthSuite, usimAuthSuite, aocSuite, paymentSuite, docomoSuite, mallSuite, ledgerSuite];

export function suiteNames(): string[] {
  return SUITES.map((s) => s.name);
}
