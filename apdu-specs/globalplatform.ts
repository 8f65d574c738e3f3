/**
 * GlobalPlatform card management commands (GlobalPlatform Card Specification v2.3.1, chapter 11
 * and the SCP02 commands of Appendix E; SCP03: Amendment D §7) and the interindustry GET DATA
 * (ISO/IEC 7816-4 §11.5.1): the commands of cardforge's Issuer Security Domain (card/applets/isd,
 * issue 21), which dispatches exactly these declarations. The trace decoder also names a command by
 * them when no applet context is known (a SELECT of an AID no registered applet has, a channel
 * nothing was selected on), so a GlobalPlatformPro session with a real card reads
 * "INITIALIZE_UPDATE", not a cardforge applet's command that happens to share the INS.
 *
 * Every declaration is `checkedBy: 'handler'`: under a secure channel the ISD verifies the C-MAC
 * (and so moves the MAC chaining value, as the host did) before it looks at P1-P2, so a refused
 * parameter does not leave the host and the card out of step.
 */
import { CLASS_80, CLASS_00, type CommandSpec } from './types.js';
import { anyByte, bits, forms, is, oneOf, params, v, ZERO } from './p1p2.js';

/** The P1-P2 declarations below are checked by the ISD after the secure channel unwrapped the command. */
const BY_HANDLER = { checkedBy: 'handler' } as const;

/** 8X: proprietary class, b3b4 secure messaging (80 plain, 84 C-MAC), channels in b1b2 / E0-EF. */
export const GP_CLASS = CLASS_80;
const ISO_CLASS = CLASS_00;
const GPCS = 'GlobalPlatform Card Specification v2.3.1';

export const GP_INITIALIZE_UPDATE: CommandSpec = {
  name: 'INITIALIZE_UPDATE',
  cla: GP_CLASS,
  ins: 0x50,
  cases: [4],
  p1p2: params(anyByte('key version number', v(0x00, 'first available')), anyByte('key identifier', v(0x00, 'SCP02 / default')), BY_HANDLER),
  description: 'Open a secure channel with key set P1 (00: the first): host challenge in; key diversification data, key information (SCP02: KVN 02; SCP03: KVN 03 i), card challenge and card cryptogram out (SCP02: sequence counter(2) ‖ challenge(6); SCP03: challenge(8), cryptogram(8), counter(3)); 6983 once the authentication tries are used up, 6A88 no such key set',
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
  p1p2: params(oneOf('security level', v(0x00, 'none'), v(0x01, 'C-MAC'), v(0x03, 'C-DECRYPTION and C-MAC'), v(0x11, 'C-MAC and R-MAC'), v(0x13, 'C-DECRYPTION, C-MAC and R-MAC'), v(0x33, 'C-DECRYPTION, C-MAC, R-MAC and R-ENCRYPTION')), ZERO, BY_HANDLER),
  description: 'Authenticate the host (host cryptogram and C-MAC) and set the security level: a wrong cryptogram answers 6300 and uses up one authentication try (a wrong C-MAC 6982); success resets the tries',
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
  p1p2: params([bits(0x80, 'chain', { values: [v(0, 'last or only command'), v(1, 'more commands')] }), bits(0x7f, 'RFU', { values: [v(0, '')] })], oneOf('scope', v(0x00, 'delete object'), v(0x80, 'object and related objects')), BY_HANDLER),
  description: 'Delete an application instance (4F AID) or keys (D0 key identifier, D2 key version); answers 00. A load file (in ROM) stays: with P2 80 its instances go in one step, without 6985; the ISD itself 6985, unknown 6A88',
  ref: `${GPCS} §11.2`,
  command: [{ name: 'tlv', length: 'rest', description: '4F AID, or D0/D2 key identifier / version' }],
};

export const GP_GET_DATA: CommandSpec = {
  name: 'GP_GET_DATA',
  cla: GP_CLASS,
  ins: 0xca,
  cases: [2, 4],
  p1p2: forms([{ p1: is(0x00), p2: anyByte('tag', v(0x66, 'card data'), v(0xe0, 'key information template'), v(0xcf, 'key diversification data'), v(0x42, 'issuer identification number'), v(0x45, 'card image number')) }, { p1: is(0x9f), p2: anyByte('tag', v(0x7f, 'CPLC')) }, { p1: anyByte('tag (high byte)', v(0x2f, 'list of applications')), p2: anyByte('tag (low byte)') }], BY_HANDLER),
  description: 'Read a data object of the Issuer Security Domain',
  ref: `${GPCS} §11.3`,
  response: [{ name: 'data_object', length: 'rest' }],
};

export const ISO_GET_DATA: CommandSpec = {
  name: 'GET_DATA',
  cla: ISO_CLASS,
  ins: 0xca,
  cases: [2, 4],
  p1p2: params(anyByte('tag (high byte)'), anyByte('tag (low byte)'), { note: '0000-003F, 0300-3FFF RFU', ...BY_HANDLER }),
  description: 'Read a data object',
  ref: 'ISO/IEC 7816-4 §11.5.1',
  response: [{ name: 'data_object', length: 'rest' }],
};

export const GP_GET_STATUS: CommandSpec = {
  name: 'GET_STATUS',
  cla: GP_CLASS,
  ins: 0xf2,
  cases: [3, 4],
  p1p2: params(oneOf('subset', v(0x80, 'issuer security domain'), v(0x40, 'applications and SSDs'), v(0x20, 'load files'), v(0x10, 'load files and modules')), [bits(0x01, 'occurrence', { values: [v(0, 'first or all'), v(1, 'next')] }), bits(0x02, 'format', { values: [v(0, 'legacy'), v(1, 'TLV')] }), bits(0xfc, 'RFU', { open: true })], BY_HANDLER),
  description: 'List the Issuer Security Domain, applications or load files with their life cycle and privileges (4F AID prefix, optional 5C tag list); 6310 when more entries follow (repeat with P2 b1 set)',
  ref: `${GPCS} §11.4`,
  command: [{ name: 'search_criteria', length: 'rest', description: '4F AID (4F00: all)' }],
  response: [{ name: 'registry_entries', length: 'rest', description: 'E3 templates (P2 b2) or AID, life cycle, privileges' }],
};

export const GP_INSTALL: CommandSpec = {
  name: 'INSTALL',
  cla: GP_CLASS,
  ins: 0xe6,
  cases: [3, 4],
  p1p2: params(anyByte('for', v(0x02, 'load'), v(0x04, 'install'), v(0x08, 'make selectable'), v(0x0c, 'install and make selectable'), v(0x10, 'extradition'), v(0x20, 'personalization'), v(0x40, 'registry update')), ZERO, { note: 'P1 b8: more INSTALL commands follow', ...BY_HANDLER }),
  description: 'INSTALL [for install] (04) an instance of one of the card\'s applet classes (the load files GET STATUS 20 lists; answers 00), [for make selectable] (08) an INSTALLED one, or both (0C); [for personalization] (20) names the application the next STORE DATA blocks go to; other P1 (load, extradition, registry update) 6A81',
  ref: `${GPCS} §11.5`,
  command: [{ name: 'install_data', length: 'rest', description: 'length-prefixed AIDs, privileges, parameters, token' }],
};

export const GP_LOAD: CommandSpec = {
  name: 'LOAD',
  cla: GP_CLASS,
  ins: 0xe8,
  cases: [3, 4],
  p1p2: params([bits(0x80, 'block', { values: [v(0, 'more blocks'), v(1, 'last block')] }), bits(0x7f, 'RFU', { values: [v(0, '')] })], anyByte('block number'), BY_HANDLER),
  description: 'Load a block of an executable load file (C4 load file data): cardforge runs no Java Card bytecode, so the ISD answers 6A81',
  ref: `${GPCS} §11.6`,
  command: [{ name: 'load_data', length: 'rest' }],
};

export const GP_PUT_KEY: CommandSpec = {
  name: 'PUT_KEY',
  cla: GP_CLASS,
  ins: 0xd8,
  cases: [3, 4],
  p1p2: params([bits(0x80, 'chain', { values: [v(0, 'last command'), v(1, 'more commands')] }), bits(0x7f, 'key version number', { values: [v(0, 'new key')], open: true })], [bits(0x80, 'keys', { values: [v(0, 'one key'), v(1, 'multiple keys')] }), bits(0x7f, 'key identifier', { open: true })], BY_HANDLER),
  description: 'Add (P1 00) or replace (P1 = old version) keys: key type 80 DES / 88 AES, key encrypted under the DEK (SCP02: session DEK; SCP03: static DEK), KCV checked (6A80); answers the new version and the KCVs',
  ref: `${GPCS} §11.8`,
  command: [{ name: 'key_data', length: 'rest', secret: true, description: 'new version number, then key type, length, encrypted key, KCV' }],
};

export const GP_SET_STATUS: CommandSpec = {
  name: 'SET_STATUS',
  cla: GP_CLASS,
  ins: 0xf0,
  cases: [1, 3],
  p1p2: params(oneOf('target', v(0x80, 'issuer security domain'), v(0x40, 'application or SSD'), v(0x60, 'SSD and its applications')), anyByte('new life cycle state'), BY_HANDLER),
  description: 'Change the card life cycle (P1 80: OP_READY 01 → INITIALIZED 07 → SECURED 0F ↔ CARD_LOCKED 7F, TERMINATED FF) or an application\'s (P1 40: P2 80 lock, 00 unlock, or an application state); illegal transition 6985, no such state 6A80',
  ref: `${GPCS} §11.10`,
  command: [{ name: 'aid', length: 'rest' }],
};

export const GP_STORE_DATA: CommandSpec = {
  name: 'STORE_DATA',
  cla: GP_CLASS,
  ins: 0xe2,
  cases: [3, 4],
  p1p2: params([bits(0x80, 'block', { values: [v(0, 'more blocks'), v(1, 'last block')] }), bits(0x60, 'encryption', { values: [v(0, 'none'), v(1, 'application dependent'), v(3, 'encrypted')] }), bits(0x18, 'format', { values: [v(0, 'none'), v(1, 'DGI'), v(2, 'BER-TLV')] }), bits(0x07, 'RFU', { open: true })], anyByte('block number'), BY_HANDLER),
  description: 'Personalize the ISD itself (BER-TLV or DGI: 42 IIN, 45 CIN, CF key diversification data, 9F7F CPLC), each block in one transaction; after INSTALL [for personalization]: DGI blocks forwarded to that application (C-MAC at least; P1 b7b6 11: DGI values encrypted with the DEK, decrypted by the ISD)',
  ref: `${GPCS} §11.11`,
  command: [{ name: 'data', length: 'rest' }],
};

/**
 * The Issuer Security Domain's commands (card/applets/isd dispatches exactly these), and the
 * decoder's fallback when no applet context is known (with the runtime's own commands).
 */
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

/** The ISD's command table (the same declarations). */
export const ISD_COMMANDS: readonly CommandSpec[] = GLOBALPLATFORM_COMMANDS;

/** Data object tags of the ISD (GP CS v2.3.1 §11.1.3 Table 11-12, §11.3.3, §11.4.3, §11.9.3.1). */
export const GP_TAGS = {
  IIN: 0x42,
  CIN: 0x45,
  CARD_DATA: 0x66,
  CARD_RECOGNITION_DATA: 0x73,
  KEY_DIVERSIFICATION_DATA: 0xcf,
  KEY_INFORMATION_TEMPLATE: 0xe0,
  KEY_INFORMATION_DATA: 0xc0,
  REGISTRY_ENTRY: 0xe3,
  AID: 0x4f,
  TAG_LIST: 0x5c,
  LIFE_CYCLE_STATE: 0x9f70,
  PRIVILEGES: 0xc5,
  CPLC: 0x9f7f,
  APPLICATION_PRODUCTION_LIFE_CYCLE_DATA: 0x9f6e,
  MAX_COMMAND_DATA_LENGTH: 0x9f65,
} as const;
