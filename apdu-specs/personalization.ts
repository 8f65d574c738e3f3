/**
 * Personalization over APDUs (issue 8): the applets' STORE DATA-style command. Block control as
 * GlobalPlatform Card Specification v2.3 §11.11.2 codes STORE DATA: P1 b8 = last block, b5b4 = 10
 * (BER-TLV data), other bits 0; P2 = block number, 00 first, +1 per block. Data = BER-TLV records
 * (one-byte private-class tags below, definite lengths). Every block is checked whole before any
 * write and applied in ONE transaction (a tear leaves the block applied or not, never half a key);
 * the last block also sets the persistent "personalized" state, after which the command answers
 * 6985. Gate: the SIM's ADM1 verified in this session (6982 otherwise). Since issue 21 only the
 * SIM takes it; the payment, ledger and wallet applets answer 6982 and take GP STORE DATA through
 * the ISD (below).
 *
 * Why INS DB and not GlobalPlatform's E2: the payment applet's STORE CERTIFICATE is 80 E2, and
 * trace decoding matches declarations by CLA/INS (first match), so a personalization block at
 * 80 E2 would be decoded as STORE CERTIFICATE and its keys printed unmasked. DB (ISO/IEC 7816-4
 * §11.4.7: PUT DATA, odd INS = BER-TLV data field) is free in every applet.
 */
import { CLASS_80, type CommandSpec } from './types.js';
import { anyByte, oneOf, params, v } from './p1p2.js';

/** P1 values (GP CS 2.3 §11.11.2.1). */
export const PERSO_P1 = { MORE_BLOCKS: 0x10, LAST_BLOCK: 0x90 } as const;

/** SIM/USIM record tags. Values marked secret never leave the card by any command. */
export const SIM_PERSO_TAGS = {
  KI: 0xc1, // 16 bytes, secret
  OPC: 0xc2, // 16 bytes, secret
  ALGORITHMS: 0xc3, // 3 bytes: 3G algorithm, 2G algorithm, GSM-Milenage SRES variant (card/applets/sim/core.ts ALG3G/ALG2G)
  SQN: 0xc4, // 6 bytes: highest SQN accepted
  CHV1: 0xc5, // 4..8 ASCII digits, secret
  PUK1: 0xc6, // 8 ASCII digits, secret
  CHV2: 0xc7, // 4..8 ASCII digits, secret
  PUK2: 0xc8, // 8 ASCII digits, secret
  ADM1: 0xc9, // 1..8 bytes as presented in VERIFY (unpadded), secret
  CHV1_ENABLED: 0xca, // 1 byte: 00 disabled, 01 enabled
} as const;

/** Tags whose values are secrets (masked in dry runs and traces). */
export const SIM_PERSO_SECRET_TAGS: ReadonlySet<number> = new Set([
  SIM_PERSO_TAGS.KI, SIM_PERSO_TAGS.OPC, SIM_PERSO_TAGS.CHV1, SIM_PERSO_TAGS.PUK1, SIM_PERSO_TAGS.CHV2, SIM_PERSO_TAGS.PUK2, SIM_PERSO_TAGS.ADM1,
]);

export const PERSO_STORE_DATA: CommandSpec = {
  name: 'PERSO_STORE_DATA',
  cla: CLASS_80,
  ins: 0xdb,
  cases: [3],
  // P1 first (before the personalized and ADM1 checks); the block number is checked against the
  // sequence after them, by the handler.
  p1p2: params(oneOf('block', v(PERSO_P1.MORE_BLOCKS, 'more blocks'), v(PERSO_P1.LAST_BLOCK, 'last block')), anyByte('block number, 00 first, +1 per block'), { note: 'GP STORE DATA coding: b8 last block, b5b4 10 BER-TLV' }),
  description: 'Personalize the selected SIM/USIM applet: BER-TLV records (keys, PINs, settings), each block one transaction; ADM1 verified in this session; refused (6985) once personalized. The payment, ledger and wallet applets answer it 6982: they are personalized through the ISD (INSTALL [for personalization] + STORE DATA)',
  ref: 'GlobalPlatform Card Spec v2.3 §11.11 (block coding); cardforge issue 8',
  command: [{ name: 'records', length: 'rest', secret: true, description: 'BER-TLV records; key and PIN values are secrets' }],
};

/**
 * Personalization of the payment, ledger and wallet applets through the Issuer Security Domain
 * (issue 21): INSTALL [for personalization] of the instance, then GP STORE DATA (GP CS 2.3.1
 * §11.11) that the ISD forwards to the application. P1 (Table 11-93): b8 last block, b7b6
 * encryption (00 none, 11 encrypted data: every DGI value of the command is encrypted with the
 * key set's DEK, padded 80 00.. — SCP03: AES-CBC, zero ICV, static DEK; SCP02: TDEA-ECB with the
 * session DEK), b5b4 = 01 (DGI format). Data: DGIs, each `DGI (2) ‖ length (1, or FF ‖ 2) ‖
 * value`; an applet record with tag T travels as DGI 01T (`CLEAR`) or, when its value is secret
 * (codes, credentials, symmetric keys), as DGI 81T (`SECRET`, in an encrypted command only) —
 * EMV CPS's convention that DGIs 8xxx are the encrypted ones. In an encrypted command every DGI
 * value is encrypted (01T ones too).
 */
export const PERSO_DGI = { CLEAR: 0x01, SECRET: 0x81 } as const;

/** GP STORE DATA P1 bits (GP CS 2.3.1 Table 11-93). */
export const GP_STORE_DATA_P1 = { LAST_BLOCK: 0x80, ENCRYPTED: 0x60, ENCRYPTION_MASK: 0x60, DGI: 0x08, STRUCTURE_MASK: 0x18 } as const;

export const PERSONALIZATION_COMMANDS: readonly CommandSpec[] = [PERSO_STORE_DATA];
