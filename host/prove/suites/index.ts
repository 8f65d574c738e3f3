/** The protocol suites `cardforge prove` knows, in the order they run. */
import type { Suite } from '../types.js';
import { pinSuite, gsmAuthSuite, usimAuthSuite, aocSuite } from './sim.js';

export const SUITES: readonly Suite[] = [pinSuite, gsmAuthSuite, usimAuthSuite, aocSuite];

export function suiteNames(): string[] {
  return SUITES.map((s) => s.name);
}
