/** card/applets/aram: the ARA-M (GlobalPlatform SE Access Control) applet (public face; re-exports and the install helper). */
import { ARAM_AID } from '../../../apdu-specs/aram.js';
import type { Card } from '../../runtime/index.js';
import { AramApplet } from './aram.js';

export { AramApplet, ARAM_RULES_CAPACITY, type AramPersonalization } from './aram.js';
export { AramFormatError, encodeRefArDo, parseRules, parseStoreCommand, type AccessRule, type RefArDo, type StoreCommand } from './protocol.js';
export { ARAM_AID, ARAM_TAGS, ARAM_GET_DATA } from '../../../apdu-specs/aram.js';

/**
 * Install the ARA-M under its GlobalPlatform AID (A00000015141434C00), not as the default applet:
 * phones select it by AID on a logical channel. `rules`: initial REF-AR-DOs back to back (see
 * encodeRefArDo); RangeError when malformed, repeated or over ARAM_RULES_CAPACITY.
 */
export function installAram(card: Card, opts: { rules?: Uint8Array } = {}): AramApplet {
  return card.install(AramApplet, { aid: ARAM_AID, personalization: opts.rules === undefined ? {} : { rules: opts.rules } }) as AramApplet;
}
