/**
 * The ARA-M (Access Rule Application Master) commands: GlobalPlatform Device Technology "Secure
 * Element Access Control" (GPD_SPE_013) v1.0 / v1.1 — GET DATA, the device interface a phone's
 * Access Control Enforcer reads the rules through (§4), and STORE DATA, the rule management
 * interface (§5). Android reads the same rules for UICC carrier privileges
 * (source.android.com/docs/core/connect/uicc: PERM-AR-DO 'DB', PKG-REF-DO 'CA').
 *
 * Data objects (BER-TLV, definite lengths; SEAC v1.1 table numbers as pySim's pySim/ara_m.py cites them):
 *   Response-ALL-REF-AR-DO  FF40 L { REF-AR-DO* }                       (Table 4-2)
 *   Response-AR-DO          FF50 L { AR-DO }                            (Table 4-3)
 *   Response-RefreshTag-DO  DF20 08 tag                                 (Table 4-4)
 *   REF-AR-DO               E2 L { REF-DO AR-DO }                       (Table 6-6)
 *   REF-DO                  E1 L { [AID-REF-DO 4F 0|5..16 or C0 00] DeviceAppID-REF-DO C1 0|20|32 [PKG-REF-DO CA 1..127] } (6-5)
 *   AR-DO                   E3 L { [APDU-AR-DO D0 01 00|01 or n×8 filter] [NFC-AR-DO D1 01 00|01] [PERM-AR-DO DB 08] } (6-7)
 *   Command-Store-REF-AR-DO F0 L { REF-AR-DO+ }                         (Table 5-2)
 *   Command-Delete          F1 00 = all, or F1 L { AID-REF-DO | C0 | REF-DO | REF-AR-DO } (Table 5-4)
 *   Command-UpdateRefreshTag-DO F2 00                                   (Table 5-6)
 */
import { CLASS_80, type CommandSpec } from './types.js';
import { forms, is, oneOf, params, v } from './p1p2.js';

/** The ARA-M's AID (SEAC §3.1): RID A000000151 (GlobalPlatform) ‖ 'ACL' ‖ 00. */
export const ARAM_AID = 'a00000015141434c00';

/** Data object tags (see the table above). */
export const ARAM_TAGS = {
  RESPONSE_ALL_REF_AR_DO: 0xff40,
  RESPONSE_AR_DO: 0xff50,
  RESPONSE_REFRESH_TAG_DO: 0xdf20,
  REF_AR_DO: 0xe2,
  REF_DO: 0xe1,
  AR_DO: 0xe3,
  AID_REF_DO: 0x4f,
  AID_REF_EMPTY_DO: 0xc0,
  DEVICE_APP_ID_REF_DO: 0xc1,
  PKG_REF_DO: 0xca,
  APDU_AR_DO: 0xd0,
  NFC_AR_DO: 0xd1,
  PERM_AR_DO: 0xdb,
  COMMAND_STORE_REF_AR_DO: 0xf0,
  COMMAND_DELETE: 0xf1,
  COMMAND_UPDATE_REFRESH_TAG_DO: 0xf2,
} as const;

/**
 * STORE DATA command DOs of SEAC v1.1 Table 5-1 that this ARA-M does not implement (the ARA-C
 * and remote-query ones): answered 6981 "DO is not supported by the ARA-M" (pySim sw_aram).
 */
export const ARAM_UNSUPPORTED_STORE_TAGS: readonly number[] = [0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xe7];

/** GET DATA P1P2 values (SEAC §4.1.2). */
export const ARAM_GET_DATA = {
  ALL: 0xff40, // Response-ALL-REF-AR-DO, first part
  SPECIFIC: 0xff50, // the AR-DO of one REF-DO (deprecated in v1.1, still mandatory for an ARA-M)
  NEXT: 0xff60, // the next part of a Response-ALL-REF-AR-DO longer than Le
  REFRESH_TAG: 0xdf20,
} as const;

/** STORE DATA P1P2: P1 = 90 (GP CS v2.3 §11.11.2.1: b8 last block, b5b4 10 BER-TLV), P2 = 00. */
export const ARAM_STORE_DATA_P1P2 = 0x9000;

const C80 = CLASS_80;
const REF = 'GlobalPlatform Secure Element Access Control (GPD_SPE_013) v1.1';

export const ARAM_COMMANDS: readonly CommandSpec[] = [
  { name: 'GET_DATA', cla: C80, ins: 0xca, cases: [2, 4], ref: `${REF} §4.1`,
    p1p2: forms([
      { p1: is(0xff), p2: oneOf('data object', v(ARAM_GET_DATA.ALL & 0xff, 'all rules'), v(ARAM_GET_DATA.SPECIFIC & 0xff, 'the AR-DO of the REF-DO in the data'), v(ARAM_GET_DATA.NEXT & 0xff, 'next part')) },
      { p1: is(ARAM_GET_DATA.REFRESH_TAG >> 8), p2: is(ARAM_GET_DATA.REFRESH_TAG & 0xff, 'refresh tag') },
    ]),
    description: 'Read the access rules: FF40 00 when none are stored; a rule set longer than Ne continues with FF60 (6A88 when nothing is left, 6A84 when the rules changed since FF40); FF50 with no such rule → 6A88',
    command: [{ name: 'REF-DO (FF50 only)', length: 'rest' }], response: [{ name: 'data object', length: 'rest' }] },
  { name: 'STORE_DATA', cla: C80, ins: 0xe2, cases: [3], ref: `${REF} §5.1`,
    p1p2: params(is(ARAM_STORE_DATA_P1P2 >> 8, 'last block, BER-TLV'), is(ARAM_STORE_DATA_P1P2 & 0xff, 'block 0')),
    description: 'Change the rules in one transaction: F0 store REF-AR-DOs (6A89 if one with the same REF-DO exists, 6A84 when full), F1 00 delete all, F1 {4F|C0|E1|E2} delete the matching rules (6A88 if none), F2 00 new refresh tag; malformed → 6A80, nothing changes. Every change renews the refresh tag',
    command: [{ name: 'command DO', length: 'rest' }] },
];
