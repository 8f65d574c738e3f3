/**
 * Offline personalization: a validated profile → a card (the emulator's image). The SIM/USIM
 * applet is installed as the default applet from the profile's SIM keys; OP is turned into OPc
 * here (TS 35.206 §4.1), so the card only ever holds OPc, as real cards do. Payment and ledger
 * sections install their applets when present (see PROFILE_SECTIONS).
 */
import { Card, hexToBytes, bytesToHex, type Rng, type Clock } from '../../card/runtime/index.js';
import { computeOpc } from '../../card/algorithms/index.js';
import { installSim, simDefaultAtr, SimConfigError, type SimPersonalization } from '../../card/applets/sim/index.js';
import { installIsd, OPEN_PLATFORM_ISD_AID } from '../../card/applets/isd/index.js';
import { bureauSessionCounters, isdPersonalizationOf } from './isd.js';
import { APPLET_REGISTRY } from '../../card/applets/index.js';
import { issueAt, ProfileError } from './load.js';
import type { Profile } from './schema.js';

/** The SIM personalization values of a profile (camelCase, OPc computed from OP when needed). */
export function simPersonalization(p: Profile): SimPersonalization {
  const a = p.auth;
  const opc = a.opc ?? (a.op !== undefined ? bytesToHex(computeOpc(hexToBytes(a.ki), hexToBytes(a.op))) : undefined);
  return {
    iccid: p.iccid,
    imsi: p.imsi,
    ki: a.ki,
    ...(opc !== undefined ? { opc } : {}),
    algorithm: a.algorithm,
    gsmAlgorithm: a.gsm_algorithm,
    ...(a.sqn !== undefined ? { sqn: a.sqn } : {}),
    pins: { pin1: p.pins.pin1, puk1: p.pins.puk1, pin2: p.pins.pin2, puk2: p.pins.puk2, adm1: p.pins.adm1, pin1Enabled: p.pins.pin1_enabled },
    ...(p.spn !== undefined ? { spn: p.spn } : {}),
    ...(p.msisdn !== undefined ? { msisdn: p.msisdn } : {}),
    ...(p.acm_max !== undefined ? { acmMax: p.acm_max } : {}),
    ...(p.puct !== undefined ? { puct: p.puct } : {}),
    ...(p.files !== undefined ? { files: p.files } : {}),
  };
}

export interface BuildOptions {
  rng?: Rng;
  clock?: Clock;
}

/** Build the card a profile describes. Problems the applets find are reported against the profile file. */
export function buildCard(profile: Profile, file: string, opts: BuildOptions = {}): Card {
  const atr = profile.atr !== undefined ? hexToBytes(profile.atr) : simDefaultAtr(profile.personality ?? 'both');
  const card = new Card({ atr, ...(opts.rng ? { rng: opts.rng } : {}), ...(opts.clock ? { clock: opts.clock } : {}) });
  try {
    installSim(card, { personality: profile.personality }, simPersonalization(profile));
  } catch (e) {
    if (e instanceof SimConfigError) throw new ProfileError(file, [issueAt(profile, profileField(e.field), e.message.slice(e.field.length + 2))]);
    throw e;
  }
  // The GlobalPlatform Issuer Security Domain, selectable by AID beside the SIM (issue 21), as on
  // real UICCs; installed at the same point as on the blank card (apdu/blank.ts), so the offline
  // and the APDU paths write the same image.
  card.appletClasses = APPLET_REGISTRY;
  installIsd(card, { ...isdPersonalizationOf(profile.isd), counters: bureauSessionCounters(profile) }, { aid: OPEN_PLATFORM_ISD_AID }); // where SIMs keep it (apdu-specs/aids.ts)
  card.powerOn();
  return card;
}

/** SimPersonalization field names back to the profile's keys (gsmAlgorithm → auth.gsm_algorithm). */
function profileField(field: string): string {
  const map: Record<string, string> = { ki: 'auth.ki', opc: 'auth.opc', algorithm: 'auth.algorithm', gsmAlgorithm: 'auth.gsm_algorithm', sqn: 'auth.sqn', acmMax: 'acm_max' };
  if (map[field]) return map[field];
  return field.replace(/^pins\.pin1Enabled$/, 'pins.pin1_enabled');
}
