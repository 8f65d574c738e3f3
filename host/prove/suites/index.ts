/** The protocol suites `cardforge prove` knows, in the order they run. */
import type { Suite } from '../types.js';

export const SUITES: readonly Suite[] = [];

export function suiteNames(): string[] {
  return SUITES.map((s) => s.name);
}
