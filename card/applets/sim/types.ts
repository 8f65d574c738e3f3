/**
 * The SIM/USIM applet's public interface (the host side builds against this file):
 * - SimParams: the card's layout, kept in the card image (no secrets): which worlds answer
 *   (classic TS 51.011 class A0, UICC TS 102.221 class 00/80, or both), EF size overrides, and
 *   the SQN array profile of TS 33.102 Annex C;
 * - SimPersonalization: the values install() writes once (identities, keys, PINs, contents);
 *   field names are the camelCase forms of the profile keys of issue 4 (gsm_algorithm →
 *   gsmAlgorithm, pin1_enabled → pin1Enabled, acm_max → acmMax);
 * - the applet instance AID and the USIM ADF AID listed in EF_DIR.
 */

import type { FsTreeData } from '../../fs/data.js';
import { SIM_APPLET_TYPE_NAME } from '../../../apdu-specs/session-facts.js';
import { SIM_APPLET_AID, USIM_AID_PREFIX } from '../../../apdu-specs/aids.js';

/**
 * Type name of the applet in card images (APPLET_REGISTRY key); declared with the session facts the
 * SIM owns (apdu-specs/session-facts.ts), so the owner named there is this type.
 */
export const SIM_APPLET_TYPE = SIM_APPLET_TYPE_NAME;

/** The applet instance AID (apdu-specs/aids.ts SIM_APPLET_AID, its one definition). */
export const SIM_AID = SIM_APPLET_AID;

/**
 * ADF_USIM's AID (TS 101.220 Annex E: RID A000000087 (3GPP), application code 1002 = USIM,
 * country FF49 (Germany), provider FFFF, application provider field 89 07 09 00 00 as on
 * sysmocom cards). Listed in EF_DIR 2F00 record 1.
 */
export const USIM_AID = `${USIM_AID_PREFIX}ff49ffff8907090000`;

/**
 * Default ATR per personality (ISO/IEC 7816-3 §8; TS 102.221 §6.3). Both are T=0 only, as SIMs
 * are, and are cardforge's own: a vendor card's ATR would make pySim's card detection drive the
 * emulator as that card (the ATR used before was the sysmoUSIM-SJS1's).
 * - uicc/both: TA1 96, TD1 80 (T=0), TD2 1F and TA3 C7 (T=15: clock stop, classes A/B/C);
 *   historical bytes 80, card service data 31 E0, card capabilities 73 FE 21 1F — the third
 *   software function table 1F says logical channels are assigned by the card and by the
 *   terminal, and b3..b1 = 111 "8 or more" (ISO/IEC 7816-4 §12.1.1.11, table 119): the runtime
 *   has 20 (MAX_CHANNELS); pre-issuing data 66 'cforge'; TCK.
 * - classic: a GSM SIM of TS 51.011 §5 (no UICC, no logical channels): TA1 96 and proprietary
 *   historical bytes 'cardforge' (the first byte is no ISO category indicator).
 */
export const SIM_ATRS: { readonly [P in SimPersonality]: string } = {
  classic: '3b199663617264666f726765',
  uicc: '3b9e96801fc78031e073fe211f6663666f726765ce',
  both: '3b9e96801fc78031e073fe211f6663666f726765ce',
};

/** The default ATR of a 'both' card (the default personality). */
export const SIM_DEFAULT_ATR = SIM_ATRS.both;

export type SimPersonality = 'classic' | 'uicc' | 'both';
export type Sim3gAlgorithm = 'milenage' | 'xor';
export type SimGsmAlgorithm = 'comp128v1' | 'comp128v2' | 'comp128v3' | 'gsm-milenage' | 'xor2g';

export const SIM_PERSONALITIES: readonly SimPersonality[] = ['classic', 'uicc', 'both'];
export const SIM_3G_ALGORITHMS: readonly Sim3gAlgorithm[] = ['milenage', 'xor'];
export const SIM_GSM_ALGORITHMS: readonly SimGsmAlgorithm[] = ['comp128v1', 'comp128v2', 'comp128v3', 'gsm-milenage', 'xor2g'];

/** Size override of one declared EF (transparent: size; record EFs: records, recordLength). */
export interface SimFileLayout {
  readonly size?: number;
  readonly records?: number;
  readonly recordLength?: number;
}

/** Layout (JSON, stored in the card image). Every field optional: `{}` is a 'both' card. */
export interface SimParams {
  /** Which command classes answer: classic (A0 only), uicc (00/80 only) or both. Default 'both'. */
  readonly personality?: SimPersonality;
  /**
   * Size overrides for declared EFs, keyed by the declared name ('EF_SMSP', 'EF_ACM') or the
   * path of FIDs from MF ('3F00/7F10/6F42'). Unknown keys are an error at install.
   */
  readonly files?: { readonly [nameOrPath: string]: SimFileLayout };
  /**
   * A real card's file tree as data (card/fs/data.ts; `cardforge image import`): served instead of
   * the declared one — SELECT answers each file's own FCP, access follows its own security
   * attributes. Contents come with the personalization's `files` (by node path). Not with `files`.
   */
  readonly tree?: FsTreeData;
  /** TS 33.102 Annex C array profile. Default IND 5 bits (32 entries), Δ = 2^28, no age limit L. */
  readonly sqn?: { readonly indBits?: number; readonly delta?: number; readonly limit?: number };
}

export interface SimPins {
  /** CHV1 / PIN1 (key reference 01): 4..8 digits. */
  readonly pin1: string;
  /** UNBLOCK CHV1 / PUK1: 8 digits. */
  readonly puk1: string;
  /** CHV2 / PIN2 (key reference 81): 4..8 digits. */
  readonly pin2: string;
  /** UNBLOCK CHV2 / PUK2: 8 digits. */
  readonly puk2: string;
  /** ADM1 (key reference 0A): 8 digits (sent as ASCII, like pySim's -A) or 16 hex digits (raw 8 bytes). */
  readonly adm1: string;
  /** Default true. false: CHV1 disabled, so CHV1-protected files are readable without VERIFY. */
  readonly pin1Enabled?: boolean;
}

/** Personalization values, consumed by install() and never stored outside the card's memory. */
export interface SimPersonalization {
  /** 18..20 digits; written to EF_ICCID (BCD, nibble-swapped, padded with F). */
  readonly iccid: string;
  /** 6..15 digits; written to EF_IMSI (TS 51.011 §10.3.2). */
  readonly imsi: string;
  /** Ki / K: 32 hex digits. */
  readonly ki: string;
  /** OPc: 32 hex digits (the host computes it from OP). Required for milenage and gsm-milenage. */
  readonly opc?: string;
  /** 3G (USIM AUTHENTICATE) algorithm. */
  readonly algorithm: Sim3gAlgorithm;
  /** 2G (RUN GSM ALGORITHM, and AUTHENTICATE in GSM context) algorithm. */
  readonly gsmAlgorithm: SimGsmAlgorithm;
  /** GSM-Milenage SRES derivation of TS 55.205 §4 (#1 = c2, default; #2 = first 32 bits of RES). */
  readonly gsmMilenageSres?: 1 | 2;
  /** Highest SQN accepted so far: 12 hex digits (48 bits). Default 000000000000. */
  readonly sqn?: string;
  readonly pins: SimPins;
  /** Service provider name, up to 16 characters; written to EF_SPN (display condition 01). */
  readonly spn?: string;
  /** Up to 20 digits, optional leading '+' (international TON); EF_MSISDN record 1. */
  readonly msisdn?: string;
  /** EF_ACMmax, 0..0xFFFFFF (0 = no limit). */
  readonly acmMax?: number;
  /** EF_PUCT: 3-character currency code and price per unit (EPPU · 10^EX, encoded exactly or RangeError). */
  readonly puct?: { readonly currency: string; readonly eppu: number };
  /**
   * Raw file contents by declared name ('EF_SMSP') or FID path ('3F00/7F20/6F30'): hex for a
   * transparent EF (shorter content is padded with FF), a list of hex records for a record EF.
   * Applied after the fields above, so it can override them.
   */
  readonly files?: { readonly [nameOrPath: string]: string | readonly string[] };
}

/** Typed error for a bad SimParams / SimPersonalization (host code turns it into a profile error). */
export class SimConfigError extends Error {
  readonly code = 'SIM_CONFIG';
  constructor(readonly field: string, problem: string) {
    super(`${field}: ${problem}`);
    this.name = 'SimConfigError';
  }
}
