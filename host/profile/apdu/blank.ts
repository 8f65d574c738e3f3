/**
 * A blank programmable SIM for the emulator (issue 8): the SIM/USIM applet in its factory state —
 * file system formatted with only EF_ARR (never updatable over APDUs), the ADM1 transport key set,
 * no keys, no PINs, no subscriber files — so a profile can be written to it over APDUs exactly as
 * to a real programmable card (`cardforge image new --sim-blank`, `cardforge personalize --card`).
 */
import { Card, hexToBytes, type Clock, type Rng } from '../../../card/runtime/index.js';
import { SimApplet, SIM_AID, simDefaultAtr, type SimParams, type SimPersonality } from '../../../card/applets/sim/index.js';
import { installIsd, OPEN_PLATFORM_ISD_AID, type IsdPersonalization } from '../../../card/applets/isd/index.js';
import { APPLET_REGISTRY } from '../../../card/applets/index.js';

export interface BlankSimOptions {
  readonly personality?: SimPersonality;
  /** Layout (EF size overrides, SQN profile): the same params the offline path would use. */
  readonly params?: SimParams;
  /** ADM1 transport key: 8 digits or 16 hex digits. */
  readonly adm1: string;
  readonly atr?: string;
  readonly rng?: Rng;
  readonly clock?: Clock;
  /** The ISD's keys (host/profile/isd.ts isdPersonalizationOf); default its test keys. */
  readonly isd?: Omit<IsdPersonalization, 'defaultSelected'>;
}

export function blankSimCard(o: BlankSimOptions): Card {
  const params: SimParams = { ...(o.params ?? {}), personality: o.personality ?? o.params?.personality ?? 'both' };
  const card = new Card({ atr: o.atr !== undefined ? hexToBytes(o.atr) : simDefaultAtr(params.personality), ...(o.rng ? { rng: o.rng } : {}), ...(o.clock ? { clock: o.clock } : {}) });
  card.install(SimApplet, { aid: SIM_AID, params: params as Record<string, unknown>, personalization: { factory: { adm1: o.adm1 } }, default: true });
  // The Issuer Security Domain (issue 21), at the same point as buildCard installs it.
  card.appletClasses = APPLET_REGISTRY;
  installIsd(card, o.isd ?? {}, { aid: OPEN_PLATFORM_ISD_AID }); // where SIMs keep it (apdu-specs/aids.ts)
  card.powerOn();
  return card;
}
