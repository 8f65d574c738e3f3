/** host/profile/adapters: the declared vendor adapters (public face). */
import { cardforgeAdapter } from './cardforge.js';
import { sysmoIsimSja2Adapter } from './sysmocom-sja2.js';
import type { CardAdapter } from './types.js';

export type { CardAdapter, ScriptOptions } from './types.js';
export { cardforgeAdapter, sysmoIsimSja2Adapter };

export const ADAPTERS: readonly CardAdapter[] = [cardforgeAdapter, sysmoIsimSja2Adapter];

export function adapterByName(name: string): CardAdapter | undefined {
  return ADAPTERS.find((a) => a.name === name);
}
