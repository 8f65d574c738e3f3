/**
 * The Issuer Security Domain's data objects (GlobalPlatform Card Specification v2.3.1): life cycle
 * codings (§11.1.1), privileges (§11.1.2), the FCI of SELECT (§11.9.3.1, Table 11-5), card
 * recognition data (tag 66, Annex H), the key information template (tag E0, §11.3.3.1) and the CPLC
 * (9F7F, GP 2.3.1 / Visa GP 2.1.1 Table 6-?: 18 fields, 42 bytes). Pure functions over bytes: the
 * applet (isd.ts) keeps the state.
 */
import { GP_TAGS } from '../../../apdu-specs/globalplatform.js';
import { concat, encodeTemplate, encodeTlv } from '../../runtime/index.js';

/** Card life cycle states (GP CS v2.3.1 §11.1.1 Table 11-3). */
export const CARD_LIFE_CYCLE = {
  OP_READY: 0x01,
  INITIALIZED: 0x07,
  SECURED: 0x0f,
  CARD_LOCKED: 0x7f,
  TERMINATED: 0xff,
} as const;

/** Application / security domain life cycle codings (GP CS v2.3.1 §11.1.1 Tables 11-4, 11-5). */
export const APP_LIFE_CYCLE = {
  INSTALLED: 0x03,
  SELECTABLE: 0x07,
  PERSONALIZED: 0x0f,
  /** b8 set on top of the state it was locked in. */
  LOCKED_BIT: 0x80,
} as const;

/**
 * Card life cycle transitions the ISD accepts with SET STATUS (GP CS v2.3.1 §5.1.1, Figure 5-1):
 * forward only, CARD_LOCKED ↔ SECURED, TERMINATED from anywhere and never left.
 */
const CARD_TRANSITIONS: ReadonlyMap<number, readonly number[]> = new Map([
  [CARD_LIFE_CYCLE.OP_READY, [CARD_LIFE_CYCLE.INITIALIZED, CARD_LIFE_CYCLE.SECURED, CARD_LIFE_CYCLE.TERMINATED]],
  [CARD_LIFE_CYCLE.INITIALIZED, [CARD_LIFE_CYCLE.SECURED, CARD_LIFE_CYCLE.TERMINATED]],
  [CARD_LIFE_CYCLE.SECURED, [CARD_LIFE_CYCLE.CARD_LOCKED, CARD_LIFE_CYCLE.TERMINATED]],
  [CARD_LIFE_CYCLE.CARD_LOCKED, [CARD_LIFE_CYCLE.SECURED, CARD_LIFE_CYCLE.TERMINATED]],
  [CARD_LIFE_CYCLE.TERMINATED, []],
]);

export function isCardLifeCycle(state: number): boolean {
  return CARD_TRANSITIONS.has(state);
}

/** Whether SET STATUS may move the card from `from` to `to` (both valid codings). */
export function cardTransitionAllowed(from: number, to: number): boolean {
  return CARD_TRANSITIONS.get(from)?.includes(to) === true;
}

/** Privileges byte 1 (GP CS v2.3.1 §11.1.2 Table 11-7). */
export const PRIVILEGE_BYTE1 = {
  SECURITY_DOMAIN: 0x80,
  CARD_LOCK: 0x10,
  CARD_TERMINATE: 0x08,
  CARD_RESET: 0x04,
  CVM_MANAGEMENT: 0x02,
} as const;

/** Privileges byte 2 (Table 11-8): Authorized Management (the runtime's CardManager goes with it). */
export const AUTHORIZED_MANAGEMENT = 0x40;

/** Key types (GP CS v2.3.1 §11.1.8 Table 11-16). */
export const KEY_TYPE = { DES: 0x80, AES: 0x88 } as const;

/** SCP identifiers and the "i" parameters this ISD implements. */
export const SCP02_I = 0x55;
export const SCP03_I = 0x70;

/** GlobalPlatform's OID arc 1.2.840.114283 (Annex H), BER-encoded. */
const GP_OID = [0x2a, 0x86, 0x48, 0x86, 0xfc, 0x6b];
const oid = (...arcs: number[]): Uint8Array => encodeTlv(0x06, [...GP_OID, ...arcs]);

/**
 * Card recognition data (GP CS v2.3.1 Annex H, Table H-1): tag 73 { card recognition OID,
 * 60 card management type and version (GP 2.3.1), 63 card identification scheme, 64 per SCP }.
 */
export function cardRecognitionData(): Uint8Array {
  return encodeTemplate(
    0x73,
    oid(0x01),
    encodeTemplate(0x60, oid(0x02, 0x02, 0x03, 0x01)),
    encodeTemplate(0x63, oid(0x03)),
    encodeTemplate(0x64, oid(0x04, 0x02, SCP02_I)),
    encodeTemplate(0x64, oid(0x04, 0x03, SCP03_I)),
  );
}

/** GET DATA 66: card data (Annex H: 66 { 73 { … } }). */
export function cardData(): Uint8Array {
  return encodeTemplate(0x66, cardRecognitionData());
}

/** Maximum length of the command data field the ISD accepts (short APDUs): 9F65 of the FCI. */
export const MAX_COMMAND_DATA = 0xff;

/**
 * The FCI of SELECT (GP CS v2.3.1 §11.9.3.1 Table 11-5): 6F { 84 AID, A5 { 73 security domain
 * management data, 9F6E application production life cycle data, 9F65 max command data length } }.
 * 9F6E: the first 6 bytes of the CPLC (IC fabricator, IC type, operating system identifier), as
 * JCOP cards give it.
 */
export function selectFci(aid: Uint8Array, cplc: Uint8Array): Uint8Array {
  return encodeTemplate(
    0x6f,
    encodeTlv(0x84, aid),
    encodeTemplate(0xa5, cardRecognitionData(), encodeTlv(GP_TAGS.APPLICATION_PRODUCTION_LIFE_CYCLE_DATA, cplc.subarray(0, 6)), encodeTlv(GP_TAGS.MAX_COMMAND_DATA_LENGTH, [MAX_COMMAND_DATA])),
  );
}

/** CPLC (Card Production Life Cycle) fields and their sizes: 42 bytes in all. */
export const CPLC_FIELDS: readonly (readonly [name: string, size: number])[] = [
  ['IC fabricator', 2], ['IC type', 2], ['operating system identifier', 2], ['operating system release date', 2], ['operating system release level', 2],
  ['IC fabrication date', 2], ['IC serial number', 4], ['IC batch identifier', 2], ['IC module fabricator', 2], ['IC module packaging date', 2],
  ['ICC manufacturer', 2], ['IC embedding date', 2], ['IC pre-personalizer', 2], ['IC pre-personalization date', 2], ['IC pre-personalization equipment identifier', 4],
  ['IC personalizer', 2], ['IC personalization date', 2], ['IC personalization equipment identifier', 4],
];
export const CPLC_LENGTH = 42;

/**
 * The CPLC a new ISD starts with: cardforge is no chip, so the fabricator fields are zero; the
 * operating system identifier is 'CF01' (cardforge) with release date 6335 (2026, day 335, the
 * YDDD date coding of the CPLC) and level 0001. Personalization may give a card's own CPLC.
 */
export function defaultCplc(): Uint8Array {
  const c = new Uint8Array(CPLC_LENGTH);
  c.set([0xcf, 0x01, 0x63, 0x35, 0x00, 0x01], 4);
  return c;
}

/** GET DATA 9F7F: 9F7F 2A CPLC. */
export function cplcObject(cplc: Uint8Array): Uint8Array {
  return encodeTlv(GP_TAGS.CPLC, cplc);
}

/** One key as the key information template lists it (never its value). */
export interface KeyInfo {
  readonly kvn: number;
  readonly kid: number;
  readonly type: number;
  readonly length: number;
}

/** GET DATA E0: E0 { C0 04 id version type length }* (GP CS v2.3.1 §11.3.3.1, Table 11-31). */
export function keyInformationTemplate(keys: readonly KeyInfo[]): Uint8Array {
  return encodeTlv(0xe0, concat(...keys.map((k) => encodeTlv(0xc0, [k.kid, k.kvn, k.type, k.length]))));
}
