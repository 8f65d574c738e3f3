/**
 * Commands of the UICC and the USIM application, classes 0X and 8X (ETSI TS 102.221 §10/§11,
 * 3GPP TS 31.102 §7). SELECT by DF name (P1=04) that matches an installed applet's AID is the
 * runtime's; other names (the USIM ADF) come here. GET RESPONSE is the runtime's.
 */
import { cla, type CommandSpec, type FieldSpec } from './types.js';

const C00 = cla('0X', 0x00, 0xff);
const C80 = cla('8X', 0x80, 0xff);
const R = 'ETSI TS 102.221';
const PIN: FieldSpec = { name: 'pin', length: 8, secret: true, description: 'PIN value: ASCII digits padded with FF' };
const SFI_P = 'P1 b8=1: SFI in b5..b1 and P2 the offset; else P1-P2 the offset (15 bits)';

export const UICC_COMMANDS: readonly CommandSpec[] = [
  { name: 'UICC_SELECT', cla: C00, ins: 0xa4, cases: [1, 2, 3, 4], p1p2: 'P1 00 FID (3F00, 7FFF = current ADF), 03 parent DF, 04 DF name (ADF AID), 08 path from MF, 09 path from current DF; P2 04 FCP, 0C no data', description: 'Select a file: FCP template (62) or no data', ref: `${R} §11.1.1`,
    command: [{ name: 'file', length: 'rest', description: 'FID, path or AID' }], response: [{ name: 'fcp', length: 'rest' }] },
  { name: 'UICC_STATUS', cla: C80, ins: 0xf2, cases: [1, 2], p1p2: 'P1 00/01/02 (application status); P2 00 FCP of the current DF, 01 the current ADF name (84), 0C no data', description: 'Current directory information', ref: `${R} §11.1.2`,
    response: [{ name: 'data', length: 'rest' }] },
  { name: 'UICC_READ_BINARY', cla: C00, ins: 0xb0, cases: [2], p1p2: SFI_P, description: 'Read the current (or SFI-referenced) transparent EF', ref: `${R} §11.1.3`, response: [{ name: 'data', length: 'rest' }] },
  { name: 'UICC_UPDATE_BINARY', cla: C00, ins: 0xd6, cases: [3], p1p2: SFI_P, description: 'Update the current (or SFI-referenced) transparent EF', ref: `${R} §11.1.4`, command: [{ name: 'data', length: 'rest' }] },
  { name: 'UICC_READ_RECORD', cla: C00, ins: 0xb2, cases: [2], p1p2: 'P1 record number (00 current); P2 b8..b4 SFI (0 current EF), b3..b1 02 next, 03 previous, 04 absolute/current', description: 'Read one record', ref: `${R} §11.1.5`, response: [{ name: 'record', length: 'rest' }] },
  { name: 'UICC_UPDATE_RECORD', cla: C00, ins: 0xdc, cases: [3], p1p2: 'as READ RECORD; cyclic EFs: P1 00, mode 03 only', description: 'Update one record', ref: `${R} §11.1.6`, command: [{ name: 'record', length: 'rest' }] },
  { name: 'UICC_SEARCH_RECORD', cla: C00, ins: 0xa2, cases: [3, 4], p1p2: 'P1 first record (00 current); P2 b8..b4 SFI, b3..b1 04 forward, 05 backward, 06 enhanced (2-byte search indication first)', description: 'Record numbers of the records that start with (or contain at the offset) the pattern', ref: `${R} §11.1.7`,
    command: [{ name: 'pattern', length: 'rest' }], response: [{ name: 'record numbers', length: 'rest' }] },
  { name: 'UICC_INCREASE', cla: C80, ins: 0x32, cases: [3, 4], p1p2: '0000', description: 'Add to record 1 of the current cyclic EF (EF_ACM: refused past EF_ACMmax with 9850)', ref: `${R} §11.1.8`,
    command: [{ name: 'value', length: 'rest' }], response: [{ name: 'new value', length: 3 }, { name: 'added value', length: 3 }] },
  { name: 'UICC_VERIFY_PIN', cla: C00, ins: 0x20, cases: [1, 3], p1p2: 'P1 00; P2 key reference 01 PIN1, 81 PIN2, 0A ADM1', description: 'Verify a PIN; without data: the retry counter (63Cx)', ref: `${R} §11.1.9`, command: [PIN] },
  { name: 'UICC_CHANGE_PIN', cla: C00, ins: 0x24, cases: [3], p1p2: 'P1 00; P2 key reference', description: 'Change a PIN (old, new)', ref: `${R} §11.1.10`, command: [{ ...PIN, name: 'old pin' }, { ...PIN, name: 'new pin' }] },
  { name: 'UICC_DISABLE_PIN', cla: C00, ins: 0x26, cases: [3], p1p2: 'P1 00; P2 01 (PIN1)', description: 'Disable PIN1 (presenting it)', ref: `${R} §11.1.11`, command: [PIN] },
  { name: 'UICC_ENABLE_PIN', cla: C00, ins: 0x28, cases: [3], p1p2: 'P1 00; P2 01 (PIN1)', description: 'Enable PIN1 (presenting it)', ref: `${R} §11.1.12`, command: [PIN] },
  { name: 'UICC_UNBLOCK_PIN', cla: C00, ins: 0x2c, cases: [1, 3], p1p2: 'P1 00; P2 key reference of the PIN (01, 81)', description: 'Unblock a PIN with its PUK and set a new value; without data: the PUK retry counter', ref: `${R} §11.1.13`,
    command: [{ ...PIN, name: 'puk' }, { ...PIN, name: 'new pin' }] },
  { name: 'UICC_DEACTIVATE_FILE', cla: C00, ins: 0x04, cases: [1, 3], p1p2: '0000; data: optional FID', description: 'Deactivate (invalidate) the current EF', ref: `${R} §11.1.14` },
  { name: 'UICC_ACTIVATE_FILE', cla: C00, ins: 0x44, cases: [1, 3], p1p2: '0000; data: optional FID', description: 'Activate (rehabilitate) the current EF', ref: `${R} §11.1.15` },
  { name: 'USIM_AUTHENTICATE', cla: C00, ins: 0x88, cases: [3, 4], p1p2: 'P1 00; P2 80 GSM context, 81 3G context', description: 'AKA: 3G context DB RES CK IK Kc, or DC AUTS on SQN failure, 9862 on MAC failure; GSM context SRES Kc', ref: '3GPP TS 31.102 §7.1.2',
    command: [{ name: 'rand', length: 17, random: true, description: '10 RAND' }, { name: 'autn', length: 'rest', random: true, description: '10 AUTN (3G context)' }],
    response: [{ name: 'result', length: 'rest', keyDependent: true, description: 'DB 08 RES 10 CK 10 IK 08 Kc | DC 0E AUTS | 04 SRES 08 Kc' }] },
];
