/** card/applets/sim: the SIM/USIM applet (public face; re-exports and the install helper). */
import { hexToBytes, type Card } from '../../runtime/index.js';
import { SimApplet } from './sim.js';
import { SIM_AID, SIM_ATRS, type SimParams, type SimPersonality, type SimPersonalization } from './types.js';

export * from './types.js';
export { SimApplet };

/** The ATR a SIM card image of this personality uses by default (T=0, as real SIMs). */
export const simDefaultAtr = (personality: SimPersonality = 'both'): Uint8Array => hexToBytes(SIM_ATRS[personality]);

/**
 * Install the SIM/USIM applet under SIM_AID as the card's default applet (selected at every
 * power-up, as a SIM's file system is). Throws SimConfigError for a bad params/personalization.
 */
export function installSim(card: Card, params: SimParams, personalization: SimPersonalization): SimApplet {
  return card.install(SimApplet, { aid: SIM_AID, params: params as Record<string, unknown>, personalization, default: true }) as SimApplet;
}
