/**
 * Commands of the classic SIM, class A0 (3GPP TS 51.011 §9.2; coding §9.2.x, status words §9.4).
 * GET RESPONSE (A0 C0) is the runtime's (iso7816.ts). Names carry a GSM_ prefix so they stay
 * distinct from the UICC commands with the same INS in ts102221.ts.
 */
import { cla, type CommandSpec, type FieldSpec } from './types.js';

const A0 = cla('A0', 0xa0, 0xff);
const R = '3GPP TS 51.011';
const CHV: FieldSpec = { name: 'chv', length: 8, secret: true, description: 'CHV value: ASCII digits padded with FF' };

export const SIM_CLASSIC_COMMANDS: readonly CommandSpec[] = [
  { name: 'GSM_SELECT', cla: A0, ins: 0xa4, cases: [3], p1p2: '0000', description: 'Select a file by FID; answer 9Fxx, the DF/EF response by GET RESPONSE', ref: `${R} §9.2.1`,
    command: [{ name: 'fid', length: 2 }], response: [{ name: 'response', length: 'rest', description: 'DF response (22 bytes) or EF response (15 bytes)' }] },
  { name: 'GSM_STATUS', cla: A0, ins: 0xf2, cases: [2], p1p2: '0000', description: 'Response parameters of the current directory', ref: `${R} §9.2.2`,
    response: [{ name: 'response', length: 'rest' }] },
  { name: 'GSM_READ_BINARY', cla: A0, ins: 0xb0, cases: [2], p1p2: 'offset (P1 high, P2 low)', description: 'Read a string of bytes from the current transparent EF', ref: `${R} §9.2.3`,
    response: [{ name: 'data', length: 'rest' }] },
  { name: 'GSM_UPDATE_BINARY', cla: A0, ins: 0xd6, cases: [3], p1p2: 'offset (P1 high, P2 low)', description: 'Update bytes of the current transparent EF', ref: `${R} §9.2.4`,
    command: [{ name: 'data', length: 'rest' }] },
  { name: 'GSM_READ_RECORD', cla: A0, ins: 0xb2, cases: [2], p1p2: 'P1 record number (00 current); P2 02 next, 03 previous, 04 absolute/current', description: 'Read one record of the current linear fixed or cyclic EF', ref: `${R} §9.2.5`,
    response: [{ name: 'record', length: 'rest' }] },
  { name: 'GSM_UPDATE_RECORD', cla: A0, ins: 0xdc, cases: [3], p1p2: 'as READ RECORD; cyclic EFs: 00 03 (previous) only', description: 'Update one record (cyclic: the oldest becomes record 1)', ref: `${R} §9.2.6`,
    command: [{ name: 'record', length: 'rest' }] },
  { name: 'GSM_SEEK', cla: A0, ins: 0xa2, cases: [3, 4], p1p2: 'P1 00; P2 type (0x: type 1, 1x: type 2 returns the record number) and mode (x0 from the beginning, x1 from the end, x2 next, x3 previous)', description: 'Search a linear fixed EF for a record starting with the pattern', ref: `${R} §9.2.7`,
    command: [{ name: 'pattern', length: 'rest' }], response: [{ name: 'record number', length: 1 }] },
  { name: 'GSM_INCREASE', cla: A0, ins: 0x32, cases: [3, 4], p1p2: '0000', description: 'Add the value to record 1 of the current cyclic EF, write the result as the new record 1 (EF_ACM: refused past EF_ACMmax)', ref: `${R} §9.2.8`,
    command: [{ name: 'value', length: 'rest' }], response: [{ name: 'new value', length: 3 }, { name: 'added value', length: 3 }] },
  { name: 'GSM_VERIFY_CHV', cla: A0, ins: 0x20, cases: [1, 3], p1p2: 'P1 00; P2 01 CHV1, 02 CHV2, 0A ADM1', description: 'Verify a CHV (try counter decremented first); with P3=00: the retry counter (63Cx), as UICCs answer the query handsets, pySim and wpa_supplicant send in class A0', ref: `${R} §9.2.9; ETSI TS 102.221 §11.1.9`, command: [CHV] },
  { name: 'GSM_CHANGE_CHV', cla: A0, ins: 0x24, cases: [3], p1p2: 'P1 00; P2 01 CHV1, 02 CHV2', description: 'Change a CHV (old value, new value)', ref: `${R} §9.2.10`,
    command: [{ ...CHV, name: 'old chv' }, { ...CHV, name: 'new chv' }] },
  { name: 'GSM_DISABLE_CHV', cla: A0, ins: 0x26, cases: [3], p1p2: '0001', description: 'Disable CHV1 (presenting it)', ref: `${R} §9.2.11`, command: [CHV] },
  { name: 'GSM_ENABLE_CHV', cla: A0, ins: 0x28, cases: [3], p1p2: '0001', description: 'Enable CHV1 (presenting it)', ref: `${R} §9.2.12`, command: [CHV] },
  { name: 'GSM_UNBLOCK_CHV', cla: A0, ins: 0x2c, cases: [3], p1p2: 'P1 00; P2 00 CHV1, 02 CHV2', description: 'Unblock a CHV with its UNBLOCK CHV (10 tries) and set a new value', ref: `${R} §9.2.13`,
    command: [{ ...CHV, name: 'unblock chv' }, { ...CHV, name: 'new chv' }] },
  { name: 'GSM_INVALIDATE', cla: A0, ins: 0x04, cases: [1, 2], p1p2: '0000 (P3 00)', description: 'Invalidate the current EF', ref: `${R} §9.2.14` },
  { name: 'GSM_REHABILITATE', cla: A0, ins: 0x44, cases: [1, 2], p1p2: '0000 (P3 00)', description: 'Rehabilitate the current EF', ref: `${R} §9.2.15` },
  { name: 'GSM_SLEEP', cla: A0, ins: 0xfa, cases: [1], p1p2: '0000 (P3 00)', description: 'Phase 1 SLEEP, obsolete since phase 2: answered 9000 and does nothing', ref: `${R} §9.2 (table 9: SLEEP); GSM 11.11 phase 1` },
  { name: 'GSM_RUN_GSM_ALGORITHM', cla: A0, ins: 0x88, cases: [3, 4], p1p2: '0000', description: 'A3/A8 with Ki over RAND (CHV1 access condition); 9F0C, then SRES and Kc by GET RESPONSE', ref: `${R} §9.2.16`,
    command: [{ name: 'rand', length: 16, random: true }], response: [{ name: 'sres', length: 4, keyDependent: true }, { name: 'kc', length: 8, keyDependent: true }] },
];
