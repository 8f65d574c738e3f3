/**
 * Commands the runtime itself owns (ISO/IEC 7816-4 interindustry, and the GSM-class GET RESPONSE
 * of TS 51.011 §9.2.18). SELECT by DF name is answered by the runtime when an applet's AID matches;
 * any other SELECT goes to the applet selected on the channel.
 */
import { cla, type CommandSpec } from './types.js';

export const INTERINDUSTRY = cla('0X', 0x00, 0xff);
export const GSM_CLASS = cla('A0', 0xa0, 0xff);

export const SELECT_BY_DF_NAME: CommandSpec = {
  name: 'SELECT',
  cla: INTERINDUSTRY,
  ins: 0xa4,
  cases: [1, 2, 3, 4],
  p1p2: 'P1=04 select by DF name (AID; none: the default applet); P2 b2b1: 00 first or only occurrence, 02 next occurrence; b4b3: 00 FCI, 04 FCP, 08 FMD, 0C no response data',
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
  p1p2: 'P1=00 open (P2=00: card assigns and returns the number, Le=01; P2=01..13: open that channel); P1=80 close (P2=00: the CLA channel, else channel P2)',
  description: 'Open or close a logical channel (channels 0..19)',
  ref: 'ISO/IEC 7816-4 §11.1.2',
  response: [{ name: 'channel', length: 1, description: 'number of the opened channel' }],
};

export const GET_RESPONSE: CommandSpec = {
  name: 'GET_RESPONSE',
  cla: INTERINDUSTRY,
  ins: 0xc0,
  cases: [2],
  p1p2: '0000',
  description: 'Fetch response data announced by 61xx (T=0 case 4, or data longer than Ne)',
  ref: 'ISO/IEC 7816-4 §11.7.1; ISO/IEC 7816-3 §12.2.5',
  response: [{ name: 'data', length: 'rest' }],
};

export const GSM_GET_RESPONSE: CommandSpec = {
  name: 'GSM_GET_RESPONSE',
  cla: GSM_CLASS,
  ins: 0xc0,
  cases: [2],
  p1p2: '0000',
  description: 'Fetch response data announced by 9Fxx (GSM class A0)',
  ref: '3GPP TS 51.011 §9.2.18',
  response: [{ name: 'data', length: 'rest' }],
};

/** What the runtime dispatches itself. */
export const RUNTIME_COMMANDS: readonly CommandSpec[] = [SELECT_BY_DF_NAME, MANAGE_CHANNEL, GET_RESPONSE, GSM_GET_RESPONSE];
