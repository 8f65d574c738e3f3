/** card/applets/isd: the GlobalPlatform Issuer Security Domain (issue 21; public face and the install helper). */
import { ISD_AID } from '../../../apdu-specs/aids.js';
import type { Card } from '../../runtime/index.js';
import { IsdApplet, type IsdPersonalization } from './isd.js';
import { AUTHORIZED_MANAGEMENT, PRIVILEGE_BYTE1 } from './data.js';

export { IsdApplet, AUTH_TRIES, TEST_KEY_HEX, SCP02_DEFAULT_KVN, SCP03_DEFAULT_KVN, defaultIsdKeys, type IsdKey, type IsdPersonalization } from './isd.js';
export { CARD_LIFE_CYCLE, APP_LIFE_CYCLE, KEY_TYPE, PRIVILEGE_BYTE1, SCP02_I, SCP03_I, CPLC_FIELDS, CPLC_LENGTH } from './data.js';
export { KEY_SLOTS } from './keys.js';
export { ISD_AID, OPEN_PLATFORM_ISD_AID, KNOWN_ISD_AIDS } from '../../../apdu-specs/aids.js';

/**
 * Install the Issuer Security Domain under `opts.aid` (default A000000151000000; SIMs keep it at
 * A000000003000000, OPEN_PLATFORM_ISD_AID), selectable by AID (not the default applet unless `default`): the test keys (SCP03 set 30, SCP02 set 20) and life cycle SECURED
 * unless the personalization says otherwise. Its registry privileges (GP CS Table 11-7/11-8):
 * Security Domain, Card Lock, Card Terminate, CVM Management (and Card Reset when default) and
 * Authorized Management — which hands it the runtime's CardManager. INSTALL finds the classes the
 * card may instantiate in card.appletClasses (the host sets them: APPLET_REGISTRY).
 */
export function installIsd(card: Card, personalization: Omit<IsdPersonalization, 'defaultSelected'> = {}, opts: { default?: boolean; aid?: string } = {}): IsdApplet {
  const first = PRIVILEGE_BYTE1.SECURITY_DOMAIN | PRIVILEGE_BYTE1.CARD_LOCK | PRIVILEGE_BYTE1.CARD_TERMINATE | PRIVILEGE_BYTE1.CVM_MANAGEMENT | (opts.default ? PRIVILEGE_BYTE1.CARD_RESET : 0);
  return card.install(IsdApplet, {
    aid: opts.aid ?? ISD_AID,
    personalization: { ...personalization, defaultSelected: opts.default === true },
    privileges: Uint8Array.of(first, AUTHORIZED_MANAGEMENT, 0x00),
    ...(opts.default ? { default: true } : {}),
  }) as IsdApplet;
}
