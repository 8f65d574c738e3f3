/**
 * GlobalPlatform card management commands (GlobalPlatform Card Specification v2.3.1, chapter 11
 * and the SCP02 commands of Appendix E; SCP03: Amendment D §7) and the interindustry GET DATA
 * (ISO/IEC 7816-4 §11.5.1). DECODER ONLY: no cardforge applet implements them, so they are not in
 * ALL_COMMANDS and nothing dispatches them. The trace decoder names a command by them when no
 * applet context is known (a SELECT of an AID no registered applet has, a channel nothing was
 * selected on), so a GlobalPlatformPro session reads "INITIALIZE_UPDATE", not a cardforge
 * applet's command that happens to share the INS.
 */
import { cla, type CommandSpec } from './types.js';

/** 8X: proprietary class, b3b4 secure messaging (80 plain, 84 C-MAC), channels in b1b2 / E0-EF. */
export const GP_CLASS = cla('8X', 0x80, 0xff);
const ISO_CLASS = cla('0X', 0x00, 0xff);
const GPCS = 'GlobalPlatform Card Specification v2.3.1';

export const GP_INITIALIZE_UPDATE: CommandSpec = {
  name: 'INITIALIZE_UPDATE',
  cla: GP_CLASS,
  ins: 0x50,
  cases: [4],
  p1p2: 'P1 key version number (00: first available); P2 00 (SCP02) or key identifier',
  description: 'Open a secure channel: host challenge in, card challenge and cryptogram out',
  ref: `${GPCS} §E.5.1; Amendment D (SCP03) §7.1.1`,
  command: [{ name: 'host_challenge', length: 8, random: true }],
  response: [
    { name: 'key_diversification_data', length: 10 },
    { name: 'key_information', length: 2 },
    { name: 'sequence_counter_and_card_challenge', length: 8, random: true },
    { name: 'card_cryptogram', length: 8, random: true },
    { name: 'rest', length: 'rest', description: 'SCP03: card challenge / cryptogram are 8 bytes after a 3-byte key information' },
  ],
};

export const GP_EXTERNAL_AUTHENTICATE: CommandSpec = {
  name: 'EXTERNAL_AUTHENTICATE',
  cla: GP_CLASS,
  ins: 0x82,
  cases: [3],
  p1p2: 'P1 security level (00 none, 01 C-MAC, 03 C-DEC and C-MAC, 13/33 with R-MAC/R-ENC); P2 00',
  description: 'Authenticate the host to the card and set the secure channel security level',
  ref: `${GPCS} §E.5.2; Amendment D (SCP03) §7.1.2`,
  command: [
    { name: 'host_cryptogram', length: 8, random: true },
    { name: 'c_mac', length: 8, random: true },
  ],
};

export const GP_DELETE: CommandSpec = {
  name: 'DELETE',
  cla: GP_CLASS,
  ins: 0xe4,
  cases: [3, 4],
  p1p2: 'P1 b8: 0 last (or only) command, 1 more; P2 00 delete object, 80 with related objects',
  description: 'Delete an application, a load file or a key',
  ref: `${GPCS} §11.2`,
  command: [{ name: 'tlv', length: 'rest', description: '4F AID, or D0/D2 key identifier / version' }],
};

export const GP_GET_DATA: CommandSpec = {
  name: 'GP_GET_DATA',
  cla: GP_CLASS,
  ins: 0xca,
  cases: [2, 4],
  p1p2: 'P1P2 the tag: 0066 card data, 00E0 key information template, 9F7F CPLC, 00CF key diversification data, 2F00 …',
  description: 'Read a data object of the Issuer Security Domain',
  ref: `${GPCS} §11.3`,
  response: [{ name: 'data_object', length: 'rest' }],
};

export const ISO_GET_DATA: CommandSpec = {
  name: 'GET_DATA',
  cla: ISO_CLASS,
  ins: 0xca,
  cases: [2, 4],
  p1p2: 'P1P2 the tag of the data object (0000-003F, 0300-3FFF RFU)',
  description: 'Read a data object',
  ref: 'ISO/IEC 7816-4 §11.5.1',
  response: [{ name: 'data_object', length: 'rest' }],
};

export const GP_GET_STATUS: CommandSpec = {
  name: 'GET_STATUS',
  cla: GP_CLASS,
  ins: 0xf2,
  cases: [3, 4],
  p1p2: 'P1 80 ISD, 40 applications and SSDs, 20 load files, 10 load files and modules; P2 b1 00 first / 01 next, b2 02 TLV format',
  description: 'List the Issuer Security Domain, applications or load files with their life cycle and privileges',
  ref: `${GPCS} §11.4`,
  command: [{ name: 'search_criteria', length: 'rest', description: '4F AID (4F00: all)' }],
  response: [{ name: 'registry_entries', length: 'rest', description: 'E3 templates (P2 b2) or AID, life cycle, privileges' }],
};

export const GP_INSTALL: CommandSpec = {
  name: 'INSTALL',
  cla: GP_CLASS,
  ins: 0xe6,
  cases: [3, 4],
  p1p2: 'P1 02 for load, 04 for install, 08 for make selectable, 0C install and make selectable, 10 extradition, 20 personalization, 40 registry update; P2 00',
  description: 'Install: prepare a load, create an application instance, make it selectable',
  ref: `${GPCS} §11.5`,
  command: [{ name: 'install_data', length: 'rest', description: 'length-prefixed AIDs, privileges, parameters, token' }],
};

export const GP_LOAD: CommandSpec = {
  name: 'LOAD',
  cla: GP_CLASS,
  ins: 0xe8,
  cases: [3, 4],
  p1p2: 'P1 b8: 0 more blocks, 1 last block; P2 block number',
  description: 'Load a block of an executable load file (C4 load file data)',
  ref: `${GPCS} §11.6`,
  command: [{ name: 'load_data', length: 'rest' }],
};

export const GP_PUT_KEY: CommandSpec = {
  name: 'PUT_KEY',
  cla: GP_CLASS,
  ins: 0xd8,
  cases: [3, 4],
  p1p2: 'P1 key version number (00: new), b8 more commands; P2 key identifier, b8 multiple keys',
  description: 'Add or replace keys (encrypted under the session key)',
  ref: `${GPCS} §11.8`,
  command: [{ name: 'key_data', length: 'rest', secret: true, description: 'new version number, then key type, length, encrypted key, KCV' }],
};

export const GP_SET_STATUS: CommandSpec = {
  name: 'SET_STATUS',
  cla: GP_CLASS,
  ins: 0xf0,
  cases: [1, 3],
  p1p2: 'P1 80 ISD, 40 application or SSD, 60 SSD and its applications; P2 the new life cycle state',
  description: 'Change the life cycle state of the card, a security domain or an application',
  ref: `${GPCS} §11.10`,
  command: [{ name: 'aid', length: 'rest' }],
};

export const GP_STORE_DATA: CommandSpec = {
  name: 'STORE_DATA',
  cla: GP_CLASS,
  ins: 0xe2,
  cases: [3, 4],
  p1p2: 'P1 b8 last block, b7b6 encryption, b5b4 DGI/BER-TLV format; P2 block number',
  description: 'Pass personalization data to a security domain or through it to an application',
  ref: `${GPCS} §11.11`,
  command: [{ name: 'data', length: 'rest' }],
};

/** The decoder's fallback when no applet context is known (with the runtime's own commands). */
export const GLOBALPLATFORM_COMMANDS: readonly CommandSpec[] = [
  GP_INITIALIZE_UPDATE,
  GP_EXTERNAL_AUTHENTICATE,
  GP_DELETE,
  GP_GET_DATA,
  ISO_GET_DATA,
  GP_GET_STATUS,
  GP_INSTALL,
  GP_LOAD,
  GP_PUT_KEY,
  GP_SET_STATUS,
  GP_STORE_DATA,
];
