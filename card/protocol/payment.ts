/**
 * The payment protocol's wire formats, shared by the card (card/applets/payment) and the host
 * actors (host/backend/payment). The payment statements as canonical BER-TLV (tags and layout:
 * apdu-specs/payment.ts header):
 * the transaction record E0 that SIGN TRANSACTION signs or MACs, the authentication-result token
 * E2, the profile grant E3, the profile release E4 and the certificate grant E5. Used by the card
 * to build what it signs and by the host actors to rebuild what they verify — one encoding.
 */
import { PAYMENT_TAGS as T } from '../../apdu-specs/payment.js';
import { parseFields, template, tlv, TlvError, type TlvField } from './payment-fields.js';
import { concat, readU48, u32, u48 } from '../runtime/bytes.js';
import { aesCmac } from '../algorithms/aes-cmac.js';
import { aes128Ctr } from '../algorithms/aes-ctr.js';

export { PAYMENT_AID, PAYMENT_TAGS } from '../../apdu-specs/payment.js';
/** The canonical BER-TLV codec of these statements (host actors parse and build with it). */
export { TlvError, parseFields, readTlv, tlv, template, type TlvField } from './payment-fields.js';

/** The fields the host sends in SIGN TRANSACTION, in this order. */
export const SIGN_FIELDS: readonly TlvField[] = [
  { tag: T.MERCHANT_ID, length: [1, 32] },
  { tag: T.AMOUNT, length: 6 },
  { tag: T.CURRENCY, length: 2 },
  { tag: T.DATE_TIME, length: 7 },
  { tag: T.CHALLENGE, length: 16 },
  { tag: T.ORDER_HASH, length: 32 },
];

export interface TransactionFields {
  readonly merchantId: Uint8Array;
  /** Minor units, 0..2^48-1. */
  readonly amount: number;
  /** ISO 4217 numeric code, e.g. 978 (EUR). */
  readonly currency: number;
  /** UTC date-time. */
  readonly dateTime: Date;
  readonly challenge: Uint8Array;
  readonly orderHash: Uint8Array;
}

/**
 * The network identification a record carries (issue 18, SFR seed): the IMSI hash and the RAND of
 * the session's last successful SIM authentication — both empty when there was none.
 */
export interface RecordIdentity {
  /** SHA-256 of the IMSI digits as ASCII (imsiHash), 32 bytes; empty when not authenticated. */
  readonly imsiHash: Uint8Array;
  /** The 16-byte RAND the SIM answered; empty when not authenticated. */
  readonly rand: Uint8Array;
}

export const NO_IDENTITY: RecordIdentity = Object.freeze({ imsiHash: new Uint8Array(0), rand: new Uint8Array(0) });

export interface TransactionRecord extends TransactionFields {
  readonly cardId: Uint8Array;
  readonly counter: number;
  readonly cvmResult: number;
  readonly identification: number;
  /** Omitted: NO_IDENTITY. */
  readonly identity?: RecordIdentity;
}

function bcd(value: number, digits: number): Uint8Array {
  const out = new Uint8Array(digits / 2);
  let v = value;
  for (let i = out.length - 1; i >= 0; i--) {
    const lo = v % 10;
    v = Math.floor(v / 10);
    const hi = v % 10;
    v = Math.floor(v / 10);
    out[i] = (hi << 4) | lo;
  }
  if (v !== 0) throw new RangeError(`"value" expected at most ${digits} digits, got ${value}`);
  return out;
}

/** BCD digits to a number, or -1 when a nibble is not a digit. */
export function fromBcd(b: Uint8Array): number {
  let v = 0;
  for (const x of b) {
    const hi = x >> 4;
    const lo = x & 0x0f;
    if (hi > 9 || lo > 9) return -1;
    v = v * 100 + hi * 10 + lo;
  }
  return v;
}

/** 7-byte BCD YYYYMMDDhhmmss (UTC) of a Date (whole seconds). */
export function encodeDateTime(d: Date): Uint8Array {
  const p = [Math.floor(d.getUTCFullYear() / 100), d.getUTCFullYear() % 100, d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()];
  return Uint8Array.from(p.map((x) => bcd(x, 2)[0]!));
}

/** The Date of a 7-byte BCD date-time, or null when it is not a valid calendar time. */
export function decodeDateTime(b: Uint8Array): Date | null {
  if (b.length !== 7) return null;
  const v = [0, 1, 2, 3, 4, 5, 6].map((i) => fromBcd(b.subarray(i, i + 1)));
  if (v.some((x) => x < 0)) return null;
  const [c, y, mo, d, h, mi, s] = v as [number, number, number, number, number, number, number];
  const year = c * 100 + y;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return null;
  const t = new Date(Date.UTC(year, mo - 1, d, h, mi, s));
  if (t.getUTCDate() !== d) return null; // 31 April and the like
  return t;
}

/** The SIGN TRANSACTION command data (host side). */
export function encodeSignFields(f: TransactionFields): Uint8Array {
  return concat(
    tlv(T.MERCHANT_ID, f.merchantId),
    tlv(T.AMOUNT, u48(f.amount)),
    tlv(T.CURRENCY, bcd(f.currency, 4)),
    tlv(T.DATE_TIME, encodeDateTime(f.dateTime)),
    tlv(T.CHALLENGE, f.challenge),
    tlv(T.ORDER_HASH, f.orderHash),
  );
}

/**
 * Check SIGN TRANSACTION command data: canonical TLVs in order, valid BCD currency and
 * date-time. Throws TlvError. Returns nothing: the card copies the checked bytes verbatim.
 */
export function checkSignFields(data: Uint8Array): void {
  const v = parseFields(data, SIGN_FIELDS, 'SIGN TRANSACTION');
  if (fromBcd(v[2]!) < 0) throw new TlvError('SIGN TRANSACTION: currency is not BCD');
  if (decodeDateTime(v[3]!) === null) throw new TlvError('SIGN TRANSACTION: date-time is not a valid BCD YYYYMMDDhhmmss');
}

/**
 * The record: E0 { C1 card id, C2 counter, <checked command fields>, C9 cvm, CA identification,
 * CB IMSI hash, CC authentication RAND } (CB and CC empty without identity).
 */
export function buildRecord(cardId: Uint8Array, counter: number, fields: Uint8Array, cvm: number, identification: number, identity: RecordIdentity = NO_IDENTITY): Uint8Array {
  return template(
    T.TRANSACTION_RECORD, tlv(T.CARD_ID, cardId), tlv(T.COUNTER, u32(counter)), fields, tlv(T.CVM_RESULT, Uint8Array.of(cvm)), tlv(T.IDENTIFICATION, Uint8Array.of(identification)),
    tlv(T.IMSI_HASH, identity.imsiHash), tlv(T.AUTH_RAND, identity.rand),
  );
}

/** The record a verifier expects for these values. */
export function recordOf(r: TransactionRecord): Uint8Array {
  return buildRecord(r.cardId, r.counter, encodeSignFields(r), r.cvmResult, r.identification, r.identity);
}

export interface AuthToken {
  readonly cardId: Uint8Array;
  readonly userId: Uint8Array;
  readonly deviceId: Uint8Array;
  /** Milliseconds since the epoch (card clock). */
  readonly expiry: number;
  readonly challenge: Uint8Array;
}

export function buildToken(t: AuthToken): Uint8Array {
  return template(T.AUTH_RESULT_TOKEN, tlv(T.CARD_ID, t.cardId), tlv(T.USER_ID, t.userId), tlv(T.DEVICE_ID, t.deviceId), tlv(T.EXPIRY, u48(t.expiry)), tlv(T.CHALLENGE, t.challenge));
}

export function parseToken(bytes: Uint8Array): AuthToken {
  const [inner] = parseFields(bytes, [{ tag: T.AUTH_RESULT_TOKEN, length: [0, 0xffff] }], 'token');
  const v = parseFields(inner!, [
    { tag: T.CARD_ID, length: [8, 16] }, { tag: T.USER_ID, length: [1, 32] }, { tag: T.DEVICE_ID, length: [0, 32] }, { tag: T.EXPIRY, length: 6 }, { tag: T.CHALLENGE, length: [16, 32] },
  ], 'token');
  return { cardId: v[0]!.slice(), userId: v[1]!.slice(), deviceId: v[2]!.slice(), expiry: readU48(v[3]!), challenge: v[4]!.slice() };
}

export function buildCertificateGrant(cardId: Uint8Array, challenge: Uint8Array, certificate: Uint8Array): Uint8Array {
  return template(T.CERTIFICATE_GRANT, tlv(T.CARD_ID, cardId), tlv(T.CHALLENGE, challenge), tlv(T.CERTIFICATE, certificate));
}

export function buildProfileGrant(cardId: Uint8Array, challenge: Uint8Array, blob: Uint8Array): Uint8Array {
  return template(T.PROFILE_GRANT, tlv(T.CARD_ID, cardId), tlv(T.CHALLENGE, challenge), tlv(T.PROFILE_BLOB, blob));
}

export function buildProfileRelease(cardId: Uint8Array, challenge: Uint8Array, orderDigest: Uint8Array, blobHash: Uint8Array): Uint8Array {
  return template(T.PROFILE_RELEASE, tlv(T.CARD_ID, cardId), tlv(T.CHALLENGE, challenge), tlv(T.ORDER_HASH, orderDigest), tlv(T.BLOB_HASH, blobHash));
}


// ---- enciphered card number (NTT DoCoMo EP 1 280 115, second embodiment) ----

/** The enciphered card-number block: 1 length byte ‖ ASCII digits ‖ zero padding (hides the PAN length). */
export const CARD_NUMBER_BLOCK = 20;
export const CARD_NUMBER_DIGITS = { min: 12, max: 19 } as const;
const KDF_LABEL = new TextEncoder().encode('cardforge ECN');

/**
 * The per-transaction keys of one encipherment: NIST SP 800-108 KDF in counter mode with AES-CMAC
 * as the PRF, K_i = CMAC(K, i ‖ label ‖ 00 ‖ card id ‖ counter ‖ challenge ‖ 0080), i = 1 for
 * the cipher key, 2 for the MAC key. A new counter (card) and a new challenge (server) give new
 * keys for every transaction — the "decryption key generated for each transaction" of [0147].
 */
export function cardNumberKeys(key: Uint8Array, cardId: Uint8Array, counter: number, challenge: Uint8Array): { enc: Uint8Array; mac: Uint8Array } {
  const ctx = concat(KDF_LABEL, Uint8Array.of(0), cardId, u32(counter), challenge, Uint8Array.of(0x00, 0x80));
  return { enc: aesCmac(key, concat(Uint8Array.of(1), ctx)), mac: aesCmac(key, concat(Uint8Array.of(2), ctx)) };
}

/** E6 { C1 card id, CB counter, C7 challenge, DC enciphered block }. */
export function buildCipheredNumber(cardId: Uint8Array, counter: number, challenge: Uint8Array, ciphered: Uint8Array): Uint8Array {
  return template(T.ENCIPHERED_CARD_NUMBER, tlv(T.CARD_ID, cardId), tlv(T.NUMBER_COUNTER, u32(counter)), tlv(T.CHALLENGE, challenge), tlv(T.CIPHERED_NUMBER, ciphered));
}

/**
 * The ENCIPHER CARD NUMBER answer: E6 statement ‖ DD CMAC(K_mac, E6). The block is AES-128-CTR
 * under K_enc with a zero initial counter block (K_enc is used for this one block only).
 */
export function encipherCardNumber(key: Uint8Array, cardId: Uint8Array, counter: number, challenge: Uint8Array, digits: Uint8Array): Uint8Array {
  const block = new Uint8Array(CARD_NUMBER_BLOCK);
  block[0] = digits.length;
  block.set(digits, 1);
  const k = cardNumberKeys(key, cardId, counter, challenge);
  const statement = buildCipheredNumber(cardId, counter, challenge, aes128Ctr(k.enc, new Uint8Array(16), block));
  block.fill(0);
  return concat(statement, tlv(T.NUMBER_MAC, aesCmac(k.mac, statement)));
}

export interface CipheredNumber {
  readonly cardId: Uint8Array;
  readonly counter: number;
  readonly challenge: Uint8Array;
  readonly ciphered: Uint8Array;
  /** The E6 TLV as received (what the MAC covers). */
  readonly statement: Uint8Array;
  readonly mac: Uint8Array;
}

/** Parse E6 ‖ DD (shape only; the MAC is the server's to check). Throws TlvError. */
export function parseCipheredNumber(bytes: Uint8Array): CipheredNumber {
  const [inner, mac] = parseFields(bytes, [{ tag: T.ENCIPHERED_CARD_NUMBER, length: [0, 0x7f] }, { tag: T.NUMBER_MAC, length: 16 }], 'enciphered card number');
  const v = parseFields(inner!, [{ tag: T.CARD_ID, length: [8, 16] }, { tag: T.NUMBER_COUNTER, length: 4 }, { tag: T.CHALLENGE, length: 16 }, { tag: T.CIPHERED_NUMBER, length: CARD_NUMBER_BLOCK }], 'enciphered card number');
  const c = v[1]!;
  return { cardId: v[0]!.slice(), counter: ((c[0]! << 24) >>> 0) + (c[1]! << 16) + (c[2]! << 8) + c[3]!, challenge: v[2]!.slice(), ciphered: v[3]!.slice(), statement: bytes.slice(0, bytes.length - 18), mac: mac!.slice() };
}

/** Decipher the block with the per-transaction key; the digits, or null when the block is not a well-formed number. */
export function decipherCardNumber(key: Uint8Array, n: CipheredNumber): Uint8Array | null {
  const k = cardNumberKeys(key, n.cardId, n.counter, n.challenge);
  const block = aes128Ctr(k.enc, new Uint8Array(16), n.ciphered);
  const len = block[0]!;
  if (len < CARD_NUMBER_DIGITS.min || len > CARD_NUMBER_DIGITS.max) return null;
  const digits = block.slice(1, 1 + len);
  if (digits.some((d) => d < 0x30 || d > 0x39) || block.subarray(1 + len).some((b) => b !== 0)) return null;
  return digits;
}
