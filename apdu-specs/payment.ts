/**
 * The payment applet's commands (issue 5; seeds: SFR JP 2000-69571 remote payment, NTT DoCoMo
 * EP 1 280 115 authentication result, Mall Service JP 2001-076059 encrypted profile).
 * Interindustry VERIFY / RESET RETRY COUNTER / GET CHALLENGE (ISO/IEC 7816-4 §11.5) plus
 * proprietary class 80 commands. Signatures are ECDSA P-256 with SHA-256 (FIPS 186-4), encoded raw
 * r‖s (64 bytes, big-endian, not DER); the MAC variant is AES-128-CMAC (RFC 4493), 16 bytes.
 *
 * Canonical BER-TLV (ISO/IEC 8825-1 definite, minimal lengths; each tag exactly once, in the
 * order listed) — PAYMENT_TAGS below. The signed transaction record is
 *   E0 L { C1 card id, C2 counter, C3 merchant, C4 amount, C5 currency, C6 date-time,
 *          C7 server challenge, C8 order hash, C9 CVM result, CA identification,
 *          CB IMSI hash, CC authentication RAND }
 *   (CB and CC, issue 18 / SFR seed: SHA-256 of the IMSI digits and the RAND of the session's last
 *   successful SIM authentication, both empty when the subscriber was not authenticated. Records
 *   signed before issue 18 lack them; no code parses a record — verifiers rebuild it, and stored
 *   proofs are re-checked over their stored bytes — so no older layout is kept.)
 * the authentication-result token  E2 L { C1 card id, D1 user id, D2 device id, D3 expiry, C7 challenge }
 * the profile-release statement    E4 L { C1 card id, C7 challenge, C8 order digest, D8 SHA-256(blob) }
 * the issuer's certificate grant   E5 L { C1 card id, C7 card challenge, DA certificate }
 * the auth server's profile grant  E3 L { C1 card id, C7 card challenge, DB blob }
 * the enciphered card number       E6 L { C1 card id, CB number counter, C7 server challenge, DC enciphered card number }
 *                                  followed by DD AES-CMAC (16 bytes, per-transaction MAC key) over the whole E6 TLV
 * Distinct template tags keep one signature from being valid as another kind of statement.
 */
import { CLASS_80, CLASS_00, type CommandSpec } from './types.js';
import { anyByte, forms, is, oneOf, params, P1P2_ZERO, v, within, ZERO } from './p1p2.js';

export const PAYMENT_AID = 'f0636172646667030001'; // F0 'cardfg' 03 00 01: proprietary RID range F0

/** BER-TLV tags of the payment records (private class; 9E as in ISO/IEC 7816-8 "digital signature"). */
export const PAYMENT_TAGS = {
  TRANSACTION_RECORD: 0xe0,
  AUTH_RESULT_TOKEN: 0xe2,
  PROFILE_GRANT: 0xe3,
  PROFILE_RELEASE: 0xe4,
  CERTIFICATE_GRANT: 0xe5,
  ENCIPHERED_CARD_NUMBER: 0xe6,
  CARD_ID: 0xc1, // 8..16 bytes
  COUNTER: 0xc2, // 4 bytes, big-endian, the value this signature consumes
  MERCHANT_ID: 0xc3, // 1..32 bytes
  AMOUNT: 0xc4, // 6 bytes, big-endian, minor units of the currency
  CURRENCY: 0xc5, // 2 bytes, ISO 4217 numeric code in BCD (EUR = 09 78), as EMV tag 5F2A
  DATE_TIME: 0xc6, // 7 bytes BCD YYYYMMDDhhmmss, UTC
  CHALLENGE: 0xc7, // server / gateway / card challenge
  ORDER_HASH: 0xc8, // 32 bytes, SHA-256 of the order or offer
  CVM_RESULT: 0xc9, // 1 byte: 01 = payment code verified for this transaction
  NUMBER_COUNTER: 0xcb, // 4 bytes, big-endian: the card-number counter value this encipherment consumes
  IDENTIFICATION: 0xca, // 1 byte: 00 none, 01 RUN GSM ALGORITHM, 02 AUTHENTICATE 3G, 03 AUTHENTICATE GSM context
  IMSI_HASH: 0xcb, // 0 or 32 bytes: SHA-256 of the IMSI digits (ASCII) of the authenticated subscriber
  AUTH_RAND: 0xcc, // 0 or 16 bytes: the RAND of the session's last successful SIM authentication
  USER_ID: 0xd1, // 1..32 bytes
  DEVICE_ID: 0xd2, // 1..32 bytes
  EXPIRY: 0xd3, // 6 bytes, big-endian milliseconds since the Unix epoch (card clock)
  BLOB_HASH: 0xd8, // 32 bytes
  CERTIFICATE: 0xda, // X.509 DER
  PROFILE_BLOB: 0xdb, // opaque, encrypted by the authentication server
  CIPHERED_NUMBER: 0xdc, // 20 bytes: AES-128-CTR of (length ‖ ASCII digits ‖ zero padding) under the per-transaction key
  NUMBER_MAC: 0xdd, // 16 bytes AES-128-CMAC
  SIGNATURE: 0x9e, // 64 bytes raw r‖s
} as const;

/** GET DATA objects (P1P2). None of them is a secret. */
export const PAYMENT_DATA_OBJECTS = {
  STATUS: 0x00c0, // payment-code tries, unblock-code tries, flags (b1 identification required, b2 counter exhausted, b3 certificate stored, b4 profile stored)
  CARD_ID: 0x00c1,
  COUNTER: 0x00c2, // last consumed counter value (4 bytes)
  DEVICE_ID: 0x00d2,
  PUBLIC_KEY: 0x7f49, // 65 bytes uncompressed SEC1 point 04‖X‖Y
  CERTIFICATE: 0x7f21, // the card certificate (X.509 DER)
} as const;

/** VERIFY P2 references: the payment code, and the registered users' credentials (slot n = 0x90 + n). */
export const PAYMENT_REFS = { PAYMENT_CODE: 0x81, USER_BASE: 0x90 } as const;
export const SIGN_MODES = { ECDSA: 0x00, CMAC: 0x01 } as const;

const C00 = CLASS_00;
const C80 = CLASS_80;
const REF = 'cardforge payment applet (issue 5)';

export const PAYMENT_COMMANDS: readonly CommandSpec[] = [
  { name: 'VERIFY', cla: C00, ins: 0x20, cases: [1, 3], p1p2: params(ZERO, within('user credential 90+n', 0x90, 0x9f, v(0x81, 'payment code')), { note: 'a user slot with no credential is 6A88' }), ref: 'ISO/IEC 7816-4 §11.5.6',
    description: 'Present the payment code (one success authorises one SIGN TRANSACTION or GET PROFILE) or a registered user credential (starts the authentication result, valid for the token lifetime); empty: retry query (63Cx, or 9000 when already verified)',
    command: [{ name: 'code', length: 'rest', secret: true }] },
  { name: 'RESET_RETRY_COUNTER', cla: C00, ins: 0x2c, cases: [3], p1p2: params(oneOf('data', v(0x00, 'unblock code ‖ new payment code'), v(0x01, 'unblock code only')), is(0x81, 'payment code')), ref: 'ISO/IEC 7816-4 §11.5.10',
    description: 'Unblock the payment code with the unblock code (own try counter, limit 10)',
    command: [{ name: 'unblock code', length: 8, secret: true }, { name: 'new code', length: 'rest', secret: true }] },
  { name: 'GET_CHALLENGE', cla: C00, ins: 0x84, cases: [2], p1p2: { ...P1P2_ZERO, note: 'Le 08..20' }, ref: 'ISO/IEC 7816-4 §11.5.3',
    description: 'Card challenge for the next STORE CERTIFICATE / STORE PROFILE (single use, cleared by reset)',
    response: [{ name: 'challenge', length: 'rest', random: true }] },
  { name: 'GET_DATA', cla: C80, ins: 0xca, cases: [2], p1p2: forms([{ p1: is(0x00), p2: oneOf('data object', v(0xc0, 'status'), v(0xc1, 'card id'), v(0xc2, 'counter'), v(0xd2, 'device id')) }, { p1: is(0x7f), p2: oneOf('data object', v(0x49, 'public key'), v(0x21, 'certificate')) }], { sw: 0x6a88, note: 'the certificate before one is stored is 6A88' }), ref: 'ISO/IEC 7816-4 §11.4.3',
    description: 'Read a public data object (never keys or codes)', response: [{ name: 'value', length: 'rest' }] },
  { name: 'SIGN_TRANSACTION', cla: C80, ins: 0x50, cases: [4], p1p2: params(oneOf('signature', v(SIGN_MODES.ECDSA, 'ECDSA P-256'), v(SIGN_MODES.CMAC, 'AES-CMAC')), ZERO), ref: REF,
    description: 'Sign the canonical record E0 (card id, next counter, the command fields, CVM result, identification, IMSI hash, authentication RAND) after a payment-code VERIFY; the counter step commits before the answer',
    command: [{ name: 'C3 merchant ‖ C4 amount ‖ C5 currency ‖ C6 date-time ‖ C7 challenge ‖ C8 order hash', length: 'rest' }],
    response: [{ name: 'counter', length: 4 }, { name: 'signature or cmac', length: 'rest', random: true }] },
  { name: 'GET_AUTH_RESULT', cla: C80, ins: 0x52, cases: [4], p1p2: params(ZERO, anyByte('user slot'), { note: 'a slot with no registered user is 6A88' }), ref: 'NTT DoCoMo EP 1 280 115 [0067], [0074]',
    description: 'Answer a gateway challenge (16..32 bytes) with token E2 ‖ 9E signature, while the user credential verification is unexpired',
    command: [{ name: 'challenge', length: 'rest' }], response: [{ name: 'token', length: 'rest', random: true }] },
  { name: 'ENCIPHER_CARD_NUMBER', cla: C80, ins: 0x54, cases: [4], p1p2: P1P2_ZERO, ref: 'NTT DoCoMo EP 1 280 115 second embodiment [0128]-[0157]',
    description: 'After a payment-code VERIFY: the card number enciphered for the card company under a per-transaction key (CMAC-KDF of the card-number key over the next number counter and the server challenge); the counter step commits before the answer. E6 statement ‖ DD CMAC',
    command: [{ name: 'server challenge', length: 16 }], response: [{ name: 'E6 statement ‖ DD cmac', length: 'rest', random: true }] },
  { name: 'STORE_CERTIFICATE', cla: C80, ins: 0xe2, cases: [3], p1p2: P1P2_ZERO, ref: REF,
    description: 'Store the card certificate: DA certificate ‖ 9E issuer signature over E5 (card id, card challenge, certificate); the certificate must hold the card public key',
    command: [{ name: 'DA certificate ‖ 9E signature', length: 'rest' }] },
  { name: 'STORE_PROFILE', cla: C80, ins: 0xe4, cases: [3], p1p2: P1P2_ZERO, ref: 'Mall Service JP 2001-076059',
    description: 'Store the encrypted profile: DB blob ‖ 9E authentication-server signature over E3 (card id, card challenge, blob)',
    command: [{ name: 'DB blob ‖ 9E signature', length: 'rest' }] },
  { name: 'GET_PROFILE', cla: C80, ins: 0xe6, cases: [4], p1p2: P1P2_ZERO, ref: 'Mall Service JP 2001-076059',
    description: 'After a payment-code VERIFY approving the shown order: DB blob ‖ 9E card signature over E4 (card id, challenge, order digest, SHA-256 of the blob)',
    command: [{ name: 'order digest', length: 32 }, { name: 'server challenge', length: 16 }], response: [{ name: 'blob ‖ signature', length: 'rest', random: true }] },
];

/**
 * PERSO_STORE_DATA records of the payment applet (issue 8; block coding apdu-specs/personalization.ts).
 * Block 0: C1..CA; then one block per registered user (tag D0 + slot: len(user id) ‖ user id ‖
 * credential); the last block also generates the card's key pair. Lengths as PaymentPersonalization.
 */
export const PAYMENT_PERSO_TAGS = {
  CARD_ID: 0xc1, // 8..16 bytes (mandatory)
  PAYMENT_CODE: 0xc2, // 4..8 bytes, secret (mandatory)
  UNBLOCK_CODE: 0xc3, // 8 bytes, secret (mandatory)
  MAC_KEY: 0xc4, // 16 bytes, secret
  ISSUER_PUBLIC_KEY: 0xc5, // 65 bytes 04‖X‖Y on P-256 (mandatory)
  AUTH_SERVER_PUBLIC_KEY: 0xc6, // 65 bytes
  DEVICE_ID: 0xc7, // 1..32 bytes
  TOKEN_LIFETIME: 0xc8, // 4 bytes big-endian seconds, 1..2678400
  REQUIRE_IDENTIFICATION: 0xc9, // 1 byte 00/01
  INITIAL_COUNTER: 0xca, // 4 bytes big-endian
  CARD_NUMBER: 0xcb, // 12..19 ASCII digits (ISO/IEC 7812 PAN), secret
  CARD_NUMBER_KEY: 0xcc, // 16 bytes AES-128 key shared with the card company's server, secret
  USER_BASE: 0xd0, // D0..DF: user slot n, secret (holds the credential)
} as const;

/** Tags whose values are secrets (masked in dry runs); D0..DF are added by the predicate. */
export function isPaymentPersoSecretTag(tag: number): boolean {
  return tag === PAYMENT_PERSO_TAGS.PAYMENT_CODE || tag === PAYMENT_PERSO_TAGS.UNBLOCK_CODE || tag === PAYMENT_PERSO_TAGS.MAC_KEY || tag === PAYMENT_PERSO_TAGS.CARD_NUMBER || tag === PAYMENT_PERSO_TAGS.CARD_NUMBER_KEY || (tag & 0xf0) === PAYMENT_PERSO_TAGS.USER_BASE;
}
