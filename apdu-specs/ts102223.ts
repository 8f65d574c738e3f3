/**
 * Card Application Toolkit transport commands: TERMINAL PROFILE, ENVELOPE, FETCH and TERMINAL
 * RESPONSE, in class 8X on the UICC (ETSI TS 102.221 §10.1.2 Table 10.5, coding §11.2.1-§11.2.4;
 * data structures ETSI TS 102.223) and in class A0 on the classic SIM (3GPP TS 51.011 §9.2.19-
 * §9.2.22, after SLEEP §9.2.17 and GET RESPONSE §9.2.18; data structures 3GPP TS 51.014). The UICC
 * names carry a CAT_ prefix, the classic ones GSM_, so a SIM channel decodes 80 10 / A0 10 as a
 * toolkit command, not as a loopback test command that happens to share the INS.
 */
import { CLASS_A0, CLASS_80, type CommandSpec, type FieldSpec } from './types.js';
import { P1P2_ZERO } from './p1p2.js';

const C80 = CLASS_80;
const A0 = CLASS_A0;
const UICC = 'ETSI TS 102.221';
const GSM = '3GPP TS 51.011';

const PROFILE: FieldSpec = { name: 'profile', length: 'rest', description: 'Terminal profile: one bit per CAT facility the terminal supports (TS 102.223 §5.2 / TS 51.014 §5.2)' };
const ENVELOPE_DATA: FieldSpec = { name: 'envelope', length: 'rest', description: 'BER-TLV template: D1 SMS-PP download, D2 CB download, D3 menu selection, D4 call control, D5 MO SMS control, D6 event download, D7 timer expiration' };
const ENVELOPE_RESPONSE: FieldSpec = { name: 'response', length: 'rest', description: 'Data download acknowledgement or call/SMS control result, when the card has any' };
const PROACTIVE: FieldSpec = { name: 'proactive command', length: 'rest', description: 'BER-TLV D0 template: command details, device identities, command data' };
const RESULT: FieldSpec = { name: 'terminal response', length: 'rest', description: 'Command details, device identities, result (TS 102.223 §6.8)' };

/** Class 8X (UICC). */
export const CAT_COMMANDS: readonly CommandSpec[] = [
  { name: 'CAT_TERMINAL_PROFILE', cla: C80, ins: 0x10, cases: [3], p1p2: P1P2_ZERO, description: 'The terminal\'s CAT capabilities; the card keeps them (first command after the PIN on a toolkit-capable phone)', ref: `${UICC} §11.2.1`,
    command: [PROFILE] },
  { name: 'CAT_ENVELOPE', cla: C80, ins: 0xc2, cases: [3, 4], p1p2: P1P2_ZERO, description: 'CAT information for the card: data download, call control, MO SMS control, event download', ref: `${UICC} §11.2.2`,
    command: [ENVELOPE_DATA], response: [ENVELOPE_RESPONSE] },
  { name: 'CAT_FETCH', cla: C80, ins: 0x12, cases: [2], p1p2: { ...P1P2_ZERO, note: 'Le = SW2 of the 91xx that announced the command' }, description: 'The pending proactive command', ref: `${UICC} §11.2.3`,
    response: [PROACTIVE] },
  { name: 'CAT_TERMINAL_RESPONSE', cla: C80, ins: 0x14, cases: [3], p1p2: P1P2_ZERO, description: 'The result of the proactive command last fetched', ref: `${UICC} §11.2.4`,
    command: [RESULT] },
];

/** Class A0 (classic SIM, SIM Application Toolkit). */
export const GSM_TOOLKIT_COMMANDS: readonly CommandSpec[] = [
  { name: 'GSM_TERMINAL_PROFILE', cla: A0, ins: 0x10, cases: [3], p1p2: P1P2_ZERO, description: 'The ME\'s SIM Application Toolkit capabilities; the card keeps them', ref: `${GSM} §9.2.19`,
    command: [PROFILE] },
  { name: 'GSM_ENVELOPE', cla: A0, ins: 0xc2, cases: [3, 4], p1p2: P1P2_ZERO, description: 'SIM Application Toolkit information for the card; response data (if any) by GET RESPONSE after 9Fxx', ref: `${GSM} §9.2.20`,
    command: [ENVELOPE_DATA], response: [ENVELOPE_RESPONSE] },
  { name: 'GSM_FETCH', cla: A0, ins: 0x12, cases: [2], p1p2: { ...P1P2_ZERO, note: 'P3 = SW2 of the 91xx that announced the command' }, description: 'The pending proactive SIM command', ref: `${GSM} §9.2.21`,
    response: [PROACTIVE] },
  { name: 'GSM_TERMINAL_RESPONSE', cla: A0, ins: 0x14, cases: [3], p1p2: P1P2_ZERO, description: 'The result of the proactive SIM command last fetched', ref: `${GSM} §9.2.22`,
    command: [RESULT] },
];
