/**
 * Commands of the classic SIM, class A0 (3GPP TS 51.011 §9.2; coding §9.2.x, status words §9.4).
 * GET RESPONSE (A0 C0) is the runtime's (iso7816.ts). Names carry a GSM_ prefix so they stay
 * distinct from the UICC commands with the same INS in ts102221.ts.
 */
import { CLASS_A0, type CommandSpec, type FieldSpec } from './types.js';
import { anyByte, bits, is, oneOf, params, P1P2_ZERO, v, within, ZERO } from './p1p2.js';

const A0 = CLASS_A0;
const R = '3GPP TS 51.011';
const CHV1 = v(0x01, 'CHV1');
const CHV2 = v(0x02, 'CHV2');
const ADM1 = v(0x0a, 'ADM1');
/** READ / UPDATE BINARY: a 15-bit offset (P1 b8 = 1, the UICC's SFI form, is 6B00 here). */
const OFFSET = params(within('offset (high byte)', 0x00, 0x7f), anyByte('offset (low byte)'));
/** The mode and record number depend on the EF (no EF selected is 9400 first): the handler checks them. */
const RECORD = params(anyByte('record number', v(0, 'current record')), oneOf('mode', v(2, 'next'), v(3, 'previous'), v(4, 'absolute/current')), { checkedBy: 'handler' });
const CHV: FieldSpec = { name: 'chv', length: 8, secret: true, description: 'CHV value: ASCII digits padded with FF' };

export const SIM_CLASSIC_COMMANDS: readonly CommandSpec[] = [
  { name: 'GSM_SELECT', cla: A0, ins: 0xa4, cases: [3], p1p2: P1P2_ZERO, description: 'Select a file by FID; answer 9Fxx, the DF/EF response by GET RESPONSE', ref: `${R} §9.2.1`,
    command: [{ name: 'fid', length: 2 }], response: [{ name: 'response', length: 'rest', description: 'DF response (22 bytes) or EF response (15 bytes)' }] },
  { name: 'GSM_STATUS', cla: A0, ins: 0xf2, cases: [2], p1p2: P1P2_ZERO, description: 'Response parameters of the current directory', ref: `${R} §9.2.2`,
    response: [{ name: 'response', length: 'rest' }] },
  { name: 'GSM_READ_BINARY', cla: A0, ins: 0xb0, cases: [2], p1p2: OFFSET, description: 'Read a string of bytes from the current transparent EF', ref: `${R} §9.2.3`,
    response: [{ name: 'data', length: 'rest' }] },
  { name: 'GSM_UPDATE_BINARY', cla: A0, ins: 0xd6, cases: [3], p1p2: OFFSET, description: 'Update bytes of the current transparent EF', ref: `${R} §9.2.4`,
    command: [{ name: 'data', length: 'rest' }] },
  { name: 'GSM_READ_RECORD', cla: A0, ins: 0xb2, cases: [2], p1p2: RECORD, description: 'Read one record of the current linear fixed or cyclic EF', ref: `${R} §9.2.5`,
    response: [{ name: 'record', length: 'rest' }] },
  { name: 'GSM_UPDATE_RECORD', cla: A0, ins: 0xdc, cases: [3], p1p2: { ...RECORD, note: 'cyclic EFs: P1 00, P2 03 only' }, description: 'Update one record (cyclic: the oldest becomes record 1)', ref: `${R} §9.2.6`,
    command: [{ name: 'record', length: 'rest' }] },
  { name: 'GSM_SEEK', cla: A0, ins: 0xa2, cases: [3, 4], p1p2: params(ZERO, [bits(0xf0, 'type', { values: [v(0, 'type 1'), v(1, 'type 2: returns the record number')] }), bits(0x0f, 'mode', { values: [v(0, 'from the beginning'), v(1, 'from the end'), v(2, 'next'), v(3, 'previous')] })]), description: 'Search a linear fixed EF for a record starting with the pattern', ref: `${R} §9.2.7`,
    command: [{ name: 'pattern', length: 'rest' }], response: [{ name: 'record number', length: 1 }] },
  { name: 'GSM_INCREASE', cla: A0, ins: 0x32, cases: [3, 4], p1p2: P1P2_ZERO, description: 'Add the value to record 1 of the current cyclic EF, write the result as the new record 1 (EF_ACM: refused past EF_ACMmax)', ref: `${R} §9.2.8`,
    command: [{ name: 'value', length: 'rest' }], response: [{ name: 'new value', length: 3 }, { name: 'added value', length: 3 }] },
  { name: 'GSM_VERIFY_CHV', cla: A0, ins: 0x20, cases: [1, 3], p1p2: params(ZERO, oneOf('CHV', CHV1, CHV2, ADM1)), description: 'Verify a CHV (try counter decremented first); with P3=00: the retry counter (63Cx), as UICCs answer the query handsets, pySim and wpa_supplicant send in class A0', ref: `${R} §9.2.9; ETSI TS 102.221 §11.1.9`, command: [CHV] },
  { name: 'GSM_CHANGE_CHV', cla: A0, ins: 0x24, cases: [3], p1p2: params(ZERO, oneOf('CHV', CHV1, CHV2)), description: 'Change a CHV (old value, new value)', ref: `${R} §9.2.10`,
    command: [{ ...CHV, name: 'old chv' }, { ...CHV, name: 'new chv' }] },
  { name: 'GSM_DISABLE_CHV', cla: A0, ins: 0x26, cases: [3], p1p2: params(ZERO, is(0x01, 'CHV1')), description: 'Disable CHV1 (presenting it)', ref: `${R} §9.2.11`, command: [CHV] },
  { name: 'GSM_ENABLE_CHV', cla: A0, ins: 0x28, cases: [3], p1p2: params(ZERO, is(0x01, 'CHV1')), description: 'Enable CHV1 (presenting it)', ref: `${R} §9.2.12`, command: [CHV] },
  { name: 'GSM_UNBLOCK_CHV', cla: A0, ins: 0x2c, cases: [3], p1p2: params(ZERO, oneOf('CHV', v(0x00, 'CHV1'), CHV2)), description: 'Unblock a CHV with its UNBLOCK CHV (10 tries) and set a new value', ref: `${R} §9.2.13`,
    command: [{ ...CHV, name: 'unblock chv' }, { ...CHV, name: 'new chv' }] },
  { name: 'GSM_INVALIDATE', cla: A0, ins: 0x04, cases: [1, 2], p1p2: P1P2_ZERO, description: 'Invalidate the current EF', ref: `${R} §9.2.14` },
  { name: 'GSM_REHABILITATE', cla: A0, ins: 0x44, cases: [1, 2], p1p2: P1P2_ZERO, description: 'Rehabilitate the current EF', ref: `${R} §9.2.15` },
  { name: 'GSM_SLEEP', cla: A0, ins: 0xfa, cases: [1], p1p2: params(anyByte('ignored (00)'), anyByte('ignored (00)')), description: 'Phase 1 SLEEP, obsolete since phase 2: answered 9000 and does nothing', ref: `${R} §9.2 (table 9: SLEEP); GSM 11.11 phase 1` },
  { name: 'GSM_RUN_GSM_ALGORITHM', cla: A0, ins: 0x88, cases: [3, 4], p1p2: P1P2_ZERO, description: 'A3/A8 with Ki over RAND (CHV1 access condition); 9F0C, then SRES and Kc by GET RESPONSE', ref: `${R} §9.2.16`,
    command: [{ name: 'rand', length: 16, random: true }], response: [{ name: 'sres', length: 4, keyDependent: true }, { name: 'kc', length: 8, keyDependent: true }] },
];
