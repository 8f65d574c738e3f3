/**
 * Commands of the UICC and the USIM application, classes 0X and 8X (ETSI TS 102.221 §10/§11,
 * 3GPP TS 31.102 §7). SELECT by DF name (P1=04) that matches an installed applet's AID is the
 * runtime's; other names (the USIM ADF) come here. GET RESPONSE is the runtime's.
 */
import { CLASS_80, CLASS_00, type CommandSpec, type FieldSpec } from './types.js';
import { anyByte, bits, forms, oneOf, params, P1P2_ZERO, v, within, ZERO } from './p1p2.js';

const C00 = CLASS_00;
const C80 = CLASS_80;
const R = 'ETSI TS 102.221';
const PIN: FieldSpec = { name: 'pin', length: 8, secret: true, description: 'PIN value: ASCII digits padded with FF' };
/** READ / UPDATE BINARY: a 15-bit offset, or (P1 b8 = 1, b7b6 = 00) an SFI in b5..b1 and P2 the offset. */
const SFI_P = forms([
  { p1: within('offset (high byte)', 0x00, 0x7f), p2: anyByte('offset (low byte)') },
  { p1: [bits(0x80, 'addressing', { values: [v(1, 'by SFI')] }), bits(0x60, 'RFU', { values: [v(0, '')] }), bits(0x1f, 'SFI', { values: [v(0, 'current EF')], range: [1, 30] })], p2: anyByte('offset') },
]);
/**
 * READ / UPDATE RECORD: SFI 1F is refused here; the mode and the record number depend on the EF
 * (no EF, wrong structure, cyclic: mode 03 only come first), so the handler checks them.
 */
const RECORD = params(anyByte('record number', v(0, 'current record')), [
  bits(0xf8, 'SFI', { values: [v(0, 'current EF')], range: [1, 30] }),
  bits(0x07, 'mode', { values: [v(2, 'next'), v(3, 'previous'), v(4, 'absolute/current')], open: true }),
]);
/** PIN commands: P1 00 here; an unknown key reference is 6A88 (TS 102.221 §11.1.9), from the handler. */
const PIN_REF = params(ZERO, anyByte('key reference', v(0x01, 'PIN1'), v(0x81, 'PIN2'), v(0x0a, 'ADM1')));

export const UICC_COMMANDS: readonly CommandSpec[] = [
  { name: 'UICC_SELECT', cla: C00, ins: 0xa4, cases: [1, 2, 3, 4], p1p2: params(oneOf('selection', v(0x00, 'by FID'), v(0x03, 'parent DF'), v(0x04, 'by DF name'), v(0x08, 'path from MF'), v(0x09, 'path from current DF')), oneOf('response', v(0x00, 'return FCI: the FCP'), v(0x04, 'return FCP'), v(0x0c, 'no response data'))), description: 'Select a file: FCP template (62) or no data', ref: `${R} §11.1.1`,
    command: [{ name: 'file', length: 'rest', description: 'FID, path or AID' }], response: [{ name: 'fcp', length: 'rest' }] },
  { name: 'UICC_STATUS', cla: C80, ins: 0xf2, cases: [1, 2], p1p2: params(oneOf('application status', v(0x00, 'no indication'), v(0x01, 'initialized'), v(0x02, 'terminating')), anyByte('response', v(0x00, 'FCP of the current DF'), v(0x01, 'current ADF name'), v(0x0c, 'no response data')), { note: 'P2 is checked after the length (no data: case 1)' }), description: 'Current directory information', ref: `${R} §11.1.2`,
    response: [{ name: 'data', length: 'rest' }] },
  { name: 'UICC_READ_BINARY', cla: C00, ins: 0xb0, cases: [2], p1p2: SFI_P, description: 'Read the current (or SFI-referenced) transparent EF', ref: `${R} §11.1.3`, response: [{ name: 'data', length: 'rest' }] },
  { name: 'UICC_UPDATE_BINARY', cla: C00, ins: 0xd6, cases: [3], p1p2: SFI_P, description: 'Update the current (or SFI-referenced) transparent EF', ref: `${R} §11.1.4`, command: [{ name: 'data', length: 'rest' }] },
  { name: 'UICC_READ_RECORD', cla: C00, ins: 0xb2, cases: [2], p1p2: RECORD, description: 'Read one record', ref: `${R} §11.1.5`, response: [{ name: 'record', length: 'rest' }] },
  { name: 'UICC_UPDATE_RECORD', cla: C00, ins: 0xdc, cases: [3], p1p2: { ...RECORD, note: 'cyclic EFs: P1 00, mode 03 only' }, description: 'Update one record', ref: `${R} §11.1.6`, command: [{ name: 'record', length: 'rest' }] },
  { name: 'UICC_SEARCH_RECORD', cla: C00, ins: 0xa2, cases: [3, 4], p1p2: params(anyByte('first record', v(0, 'current record')), [bits(0xf8, 'SFI', { values: [v(0, 'current EF')], range: [1, 30] }), bits(0x07, 'mode', { values: [v(4, 'forward'), v(5, 'backward'), v(6, 'enhanced')] })]), description: 'Record numbers of the records that start with (or contain at the offset) the pattern', ref: `${R} §11.1.7`,
    command: [{ name: 'pattern', length: 'rest' }], response: [{ name: 'record numbers', length: 'rest' }] },
  { name: 'UICC_INCREASE', cla: C80, ins: 0x32, cases: [3, 4], p1p2: P1P2_ZERO, description: 'Add to record 1 of the current cyclic EF (EF_ACM: refused past EF_ACMmax with 9850)', ref: `${R} §11.1.8`,
    command: [{ name: 'value', length: 'rest' }], response: [{ name: 'new value', length: 3 }, { name: 'added value', length: 3 }] },
  { name: 'UICC_VERIFY_PIN', cla: C00, ins: 0x20, cases: [1, 3], p1p2: PIN_REF, description: 'Verify a PIN; without data: the retry counter (63Cx)', ref: `${R} §11.1.9`, command: [PIN] },
  { name: 'UICC_CHANGE_PIN', cla: C00, ins: 0x24, cases: [3], p1p2: PIN_REF, description: 'Change a PIN (old, new)', ref: `${R} §11.1.10`, command: [{ ...PIN, name: 'old pin' }, { ...PIN, name: 'new pin' }] },
  { name: 'UICC_DISABLE_PIN', cla: C00, ins: 0x26, cases: [3], p1p2: { ...PIN_REF, note: 'PIN1 or PIN2; ADM1 is 6A86' }, description: 'Disable PIN1 (presenting it)', ref: `${R} §11.1.11`, command: [PIN] },
  { name: 'UICC_ENABLE_PIN', cla: C00, ins: 0x28, cases: [3], p1p2: { ...PIN_REF, note: 'PIN1 or PIN2; ADM1 is 6A86' }, description: 'Enable PIN1 (presenting it)', ref: `${R} §11.1.12`, command: [PIN] },
  { name: 'UICC_UNBLOCK_PIN', cla: C00, ins: 0x2c, cases: [1, 3], p1p2: { ...PIN_REF, note: 'PIN1 or PIN2; ADM1 (no PUK) is 6A88' }, description: 'Unblock a PIN with its PUK and set a new value; without data: the PUK retry counter', ref: `${R} §11.1.13`,
    command: [{ ...PIN, name: 'puk' }, { ...PIN, name: 'new pin' }] },
  { name: 'UICC_DEACTIVATE_FILE', cla: C00, ins: 0x04, cases: [1, 3], p1p2: P1P2_ZERO, description: 'Deactivate (invalidate) the current EF', ref: `${R} §11.1.14` },
  { name: 'UICC_ACTIVATE_FILE', cla: C00, ins: 0x44, cases: [1, 3], p1p2: P1P2_ZERO, description: 'Activate (rehabilitate) the current EF', ref: `${R} §11.1.15` },
  { name: 'USIM_AUTHENTICATE', cla: C00, ins: 0x88, cases: [3, 4], p1p2: params(ZERO, oneOf('context', v(0x80, 'GSM context'), v(0x81, '3G context'))), description: 'AKA: 3G context DB RES CK IK Kc, or DC AUTS on SQN failure, 9862 on MAC failure; GSM context SRES Kc', ref: '3GPP TS 31.102 §7.1.2',
    command: [{ name: 'rand', length: 17, random: true, description: '10 RAND' }, { name: 'autn', length: 'rest', random: true, description: '10 AUTN (3G context)' }],
    response: [{ name: 'result', length: 'rest', keyDependent: true, description: 'DB 08 RES 10 CK 10 IK 08 Kc | DC 0E AUTS | 04 SRES 08 Kc' }] },
];
