/**
 * Commands the runtime itself owns (ISO/IEC 7816-4 interindustry, and the GSM-class GET RESPONSE
 * of TS 51.011 §9.2.18). SELECT by DF name is answered by the runtime when an applet's AID matches;
 * any other SELECT goes to the applet selected on the channel.
 */
import { CLASS_A0, CLASS_00, CLASS_80, type CommandSpec } from './types.js';
import { anyByte, bits, forms, is, params, P1P2_ZERO, v } from './p1p2.js';

export const INTERINDUSTRY = CLASS_00;
export const GSM_CLASS = CLASS_A0;

export const SELECT_BY_DF_NAME: CommandSpec = {
  name: 'SELECT',
  cla: INTERINDUSTRY,
  ins: 0xa4,
  cases: [1, 2, 3, 4],
  // Checked by the runtime's SELECT itself: a value it does not take goes to the applet's SELECT
  // when the applet has one (UICC_SELECT), else 6A86.
  p1p2: params(is(0x04, 'by DF name'), [
    bits(0x03, 'occurrence', { values: [v(0, 'first or only'), v(2, 'next')] }),
    bits(0x0c, 'response', { values: [v(0, 'return FCI'), v(1, 'return FCP'), v(2, 'return FMD'), v(3, 'no response data')] }),
    bits(0xf0, 'RFU', { values: [v(0, '')] }),
  ], { checkedBy: 'handler', note: 'no AID: the default applet' }),
  description: 'Select an application by its AID (full or partial/right-truncated match)',
  ref: 'ISO/IEC 7816-4 §11.2.2',
  command: [{ name: 'aid', length: 'rest', description: 'DF name (AID), 1..16 bytes' }],
  response: [{ name: 'fci', length: 'rest', description: 'FCI/FCP template returned by the applet' }],
};

export const MANAGE_CHANNEL: CommandSpec = {
  name: 'MANAGE_CHANNEL',
  cla: INTERINDUSTRY,
  ins: 0x70,
  cases: [1, 2],
  // P1 checked by the dispatcher; the channel number by MANAGE CHANNEL after its length checks.
  p1p2: forms([
    { p1: is(0x00, 'open'), p2: anyByte('channel 01..13', v(0, 'assigned by the card, Le=01')) },
    { p1: is(0x80, 'close'), p2: anyByte('channel 01..13', v(0, 'the channel of CLA')) },
  ]),
  description: 'Open or close a logical channel (channels 0..19)',
  ref: 'ISO/IEC 7816-4 §11.1.2',
  response: [{ name: 'channel', length: 1, description: 'number of the opened channel' }],
};

export const GET_RESPONSE: CommandSpec = {
  name: 'GET_RESPONSE',
  cla: INTERINDUSTRY,
  ins: 0xc0,
  cases: [2],
  p1p2: P1P2_ZERO,
  description: 'Fetch response data announced by 61xx (T=0 case 4, or data longer than Ne)',
  ref: 'ISO/IEC 7816-4 §11.7.1; ISO/IEC 7816-3 §12.2.5',
  response: [{ name: 'data', length: 'rest' }],
};

export const GSM_GET_RESPONSE: CommandSpec = {
  name: 'GSM_GET_RESPONSE',
  cla: GSM_CLASS,
  ins: 0xc0,
  cases: [2],
  p1p2: P1P2_ZERO,
  description: 'Fetch response data announced by 9Fxx (GSM class A0)',
  ref: '3GPP TS 51.011 §9.2.18',
  response: [{ name: 'data', length: 'rest' }],
};

/**
 * GET RESPONSE in the proprietary class: hosts that copy the CLA of the command that got 61xx into
 * their GET RESPONSE (pySim's transport: 80 C0 after a GlobalPlatform 80 50, 84 C0 inside a secure
 * channel) are served as real UICCs and Java Cards serve them, the T=0 transport's command whatever
 * the class's proprietary bit (ISO/IEC 7816-3 §12.2.5: the TPDU fetches what the previous one left).
 */
export const PROPRIETARY_GET_RESPONSE: CommandSpec = {
  name: 'GET_RESPONSE_8X',
  cla: CLASS_80,
  ins: 0xc0,
  cases: [2],
  p1p2: P1P2_ZERO,
  description: 'Fetch response data announced by 61xx, sent in the class of the command that got it (8X)',
  ref: 'ISO/IEC 7816-3 §12.2.5; ISO/IEC 7816-4 §11.7.1',
  response: [{ name: 'data', length: 'rest' }],
};

/** What the runtime dispatches itself. */
export const RUNTIME_COMMANDS: readonly CommandSpec[] = [SELECT_BY_DF_NAME, MANAGE_CHANNEL, GET_RESPONSE, GSM_GET_RESPONSE, PROPRIETARY_GET_RESPONSE];
