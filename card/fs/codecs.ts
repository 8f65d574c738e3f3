/**
 * Codecs for the simple EF contents (pySim style; strict, errors name the field):
 * - EF_ICCID (TS 102.221 §13.2): BCD, nibble-swapped, padded with F;
 * - EF_IMSI (TS 51.011 §10.3.2, TS 31.102 §4.2.2): length byte, then parity nibble and digits;
 * - EF_SPN (TS 51.011 §10.3.11): display condition and the name in the SMS default alphabet
 *   (its ASCII-compatible subset), padded with FF;
 * - EF_MSISDN (TS 51.011 §10.5.5): alpha identifier, BCD number with TON/NPI;
 * - EF_PUCT (TS 51.011 §10.3.22): currency code and EPPU · 10^EX;
 * - EF_ACM / EF_ACMmax (TS 51.011 §10.3.21, §10.3.18): 3-byte big-endian unsigned;
 * - shared by the EF codecs (ef-codecs.ts): strict swapped BCD and the PLMN of TS 24.008 §10.5.1.3.
 */
import { readU24, u24 } from '../runtime/bytes.js';

function swappedBcd(digits: string, bytes: number, field: string): Uint8Array {
  if (!/^\d*$/.test(digits)) throw new RangeError(`"${field}" expected decimal digits, got "${digits}"`);
  if (digits.length > bytes * 2) throw new RangeError(`"${field}" expected at most ${bytes * 2} digits, got ${digits.length}`);
  const out = new Uint8Array(bytes).fill(0xff);
  for (let i = 0; i < digits.length; i++) {
    const d = digits.charCodeAt(i) - 48;
    const b = i >> 1;
    out[b] = i & 1 ? (out[b]! & 0x0f) | (d << 4) : (out[b]! & 0xf0) | d;
  }
  return out;
}

function swappedDigits(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) {
    for (const n of [b & 0x0f, b >> 4]) {
      if (n === 0x0f) return s;
      s += n <= 9 ? String(n) : '?';
    }
  }
  return s;
}

export function encodeIccid(iccid: string): Uint8Array {
  if (iccid.length < 18 || iccid.length > 20) throw new RangeError(`"iccid" expected 18..20 digits, got ${iccid.length}`);
  return swappedBcd(iccid, 10, 'iccid');
}
export const decodeIccid = (b: Uint8Array): string => swappedDigits(b);

/** EF_IMSI: byte 1 = number of bytes that follow; byte 2 = first digit and parity (odd 9, even 1). */
export function encodeImsi(imsi: string): Uint8Array {
  if (!/^\d{6,15}$/.test(imsi)) throw new RangeError(`"imsi" expected 6..15 decimal digits, got "${imsi}"`);
  const out = new Uint8Array(9).fill(0xff);
  const body = swappedBcd((imsi.length % 2 ? '9' : '1') + imsi, 8, 'imsi');
  out[0] = Math.ceil((imsi.length + 1) / 2);
  out.set(body, 1);
  return out;
}
export function decodeImsi(b: Uint8Array): string {
  if (b.length < 2 || b[0]! === 0xff || b[0]! > 8) return '';
  return swappedDigits(b.subarray(1, 1 + b[0]!)).slice(1);
}

/** SMS default alphabet characters that share their code with ASCII (TS 23.038 §6.2.1). */
const GSM7_ASCII = /^[A-Za-z0-9 !"#%&'()*+,\-./:;<=>?]*$/;

export function encodeSpn(name: string, displayCondition = 0x01): Uint8Array {
  if (name.length > 16) throw new RangeError(`"spn" expected at most 16 characters, got ${name.length}`);
  if (!GSM7_ASCII.test(name)) throw new RangeError(`"spn" expected characters of the SMS default alphabet's ASCII subset, got "${name}"`);
  const out = new Uint8Array(17).fill(0xff);
  out[0] = displayCondition;
  for (let i = 0; i < name.length; i++) out[1 + i] = name.charCodeAt(i);
  return out;
}
export function decodeSpn(b: Uint8Array): { displayCondition: number; name: string } {
  let name = '';
  for (let i = 1; i < b.length && b[i] !== 0xff; i++) name += String.fromCharCode(b[i]!);
  return { displayCondition: b[0]!, name };
}

/**
 * EF_MSISDN record of `recordLength` bytes (X + 14): X bytes alpha identifier (FF), length of
 * BCD number/SSC contents, TON/NPI (91 international, 81 unknown; ISDN plan), 10 bytes BCD,
 * capability/configuration id FF, extension record FF.
 */
export function encodeMsisdn(msisdn: string, recordLength: number): Uint8Array {
  if (!/^\+?\d{1,20}$/.test(msisdn)) throw new RangeError(`"msisdn" expected up to 20 digits, optionally starting with +, got "${msisdn}"`);
  if (recordLength < 14) throw new RangeError(`EF_MSISDN record length expected >= 14, got ${recordLength}`);
  const intl = msisdn.startsWith('+');
  const digits = intl ? msisdn.slice(1) : msisdn;
  const out = new Uint8Array(recordLength).fill(0xff);
  const x = recordLength - 14;
  out[x] = 1 + Math.ceil(digits.length / 2);
  out[x + 1] = intl ? 0x91 : 0x81;
  out.set(swappedBcd(digits, 10, 'msisdn'), x + 2);
  return out;
}
export function decodeMsisdn(b: Uint8Array): string {
  const x = b.length - 14;
  if (x < 0 || b[x] === 0xff) return '';
  const digits = swappedDigits(b.subarray(x + 2, x + 1 + b[x]!));
  return (b[x + 1]! & 0x70) === 0x10 ? `+${digits}` : digits;
}

/** EPPU (12 bits) and EX (-7..7) with eppu = EPPU · 10^EX exactly. */
export function encodePuct(currency: string, eppu: number): Uint8Array {
  if (!/^[A-Za-z0-9 ]{3}$/.test(currency)) throw new RangeError(`"puct.currency" expected 3 letters or digits, got "${currency}"`);
  if (!(eppu > 0) || !Number.isFinite(eppu)) throw new RangeError(`"puct.eppu" expected a positive number, got ${eppu}`);
  for (let ex = -7; ex <= 7; ex++) {
    const m = eppu / 10 ** ex;
    const r = Math.round(m);
    if (r >= 1 && r <= 0xfff && Math.abs(m - r) < 1e-9 * Math.max(1, r)) {
      const out = new Uint8Array(5);
      for (let i = 0; i < 3; i++) out[i] = currency.charCodeAt(i);
      out[3] = r >> 4;
      out[4] = ((r & 0x0f) | (ex < 0 ? 0x10 : 0) | (Math.abs(ex) << 5)) & 0xff;
      return out;
    }
  }
  throw new RangeError(`"puct.eppu" ${eppu} cannot be written as EPPU · 10^EX with EPPU 1..4095 and EX -7..7`);
}
export function decodePuct(b: Uint8Array): { currency: string; eppu: number } {
  const currency = String.fromCharCode(b[0]!, b[1]!, b[2]!);
  const m = (b[3]! << 4) | (b[4]! & 0x0f);
  const ex = ((b[4]! >> 5) & 0x07) * (b[4]! & 0x10 ? -1 : 1);
  return { currency, eppu: Number((m * 10 ** ex).toPrecision(12)) };
}

export function encodeU24(value: number, field: string): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffff) throw new RangeError(`"${field}" expected 0..16777215, got ${value}`);
  return u24(value);
}
/** card/runtime/bytes.ts readU24, under the name the EF codecs use. */
export const decodeU24 = readU24;

/**
 * Swapped BCD (low nibble first) over a field of `bytes.length` bytes, strict: a nibble outside
 * `alphabet` is a RangeError naming its offset (`at` = offset of bytes[0] in the file); the first
 * F ends the text and every nibble after it must be F too.
 */
export function decodeSwappedBcd(bytes: Uint8Array, field: string, at = 0, alphabet = '0123456789'): string {
  let s = '';
  let ended = false;
  for (let i = 0; i < bytes.length; i++) {
    for (const n of [bytes[i]! & 0x0f, bytes[i]! >> 4]) {
      if (n === 0x0f) ended = true;
      else if (ended) throw new RangeError(`"${field}" at offset ${at + i}: digit after the F end mark`);
      else if (n >= alphabet.length) throw new RangeError(`"${field}" at offset ${at + i}: nibble ${n.toString(16).toUpperCase()} is not a digit`);
      else s += alphabet[n]!;
    }
  }
  return s;
}

/** The inverse of decodeSwappedBcd: `text` in `bytes` bytes, padded with F. */
export function encodeSwappedBcd(text: string, bytes: number, field: string, alphabet = '0123456789'): Uint8Array {
  if (text.length > bytes * 2) throw new RangeError(`"${field}" expected at most ${bytes * 2} digits, got ${text.length}`);
  const out = new Uint8Array(bytes).fill(0xff);
  for (let i = 0; i < text.length; i++) {
    const d = alphabet.indexOf(text[i]!);
    if (d < 0) throw new RangeError(`"${field}" expected characters of "${alphabet}", got "${text}"`);
    const b = i >> 1;
    out[b] = i & 1 ? (out[b]! & 0x0f) | (d << 4) : (out[b]! & 0xf0) | d;
  }
  return out;
}

/**
 * A PLMN (3GPP TS 24.008 §10.5.1.3): MCC digit 2|1, MNC digit 3|MCC digit 3, MNC digit 2|1. Each
 * digit is 0-9 or 'f' (an F nibble: MNC digit 3 F is a 2-digit MNC; FFF FF is how EFs write "none").
 */
export interface Plmn {
  readonly mcc: string;
  readonly mnc: string;
}

export function decodePlmn(b: Uint8Array, off: number, field = 'plmn'): Plmn {
  if (off + 3 > b.length) throw new RangeError(`"${field}" at offset ${off}: expected 3 bytes, got ${Math.max(0, b.length - off)}`);
  const n = [b[off]! & 0x0f, b[off]! >> 4, b[off + 1]! & 0x0f, b[off + 2]! & 0x0f, b[off + 2]! >> 4, b[off + 1]! >> 4];
  const at = [off, off, off + 1, off + 2, off + 2, off + 1];
  const digit = (i: number): string => {
    if (n[i]! > 9 && n[i]! !== 0x0f) throw new RangeError(`"${field}" at offset ${at[i]}: nibble ${n[i]!.toString(16).toUpperCase()} is not a digit`);
    return n[i] === 0x0f ? 'f' : String(n[i]);
  };
  const mcc = digit(0) + digit(1) + digit(2);
  const mnc = digit(3) + digit(4) + (n[5] === 0x0f ? '' : digit(5));
  return { mcc, mnc };
}

export function encodePlmn(p: Plmn, field = 'plmn'): Uint8Array {
  if (typeof p !== 'object' || p === null || typeof p.mcc !== 'string' || typeof p.mnc !== 'string') throw new TypeError(`"${field}" expected {mcc, mnc} strings`);
  if (!/^[0-9f]{3}$/.test(p.mcc)) throw new RangeError(`"${field}.mcc" expected 3 digits (f for none), got "${p.mcc}"`);
  if (!/^[0-9f]{2}[0-9]?$/.test(p.mnc)) throw new RangeError(`"${field}.mnc" expected 2 or 3 digits (f for none), got "${p.mnc}"`);
  const v = (c: string | undefined): number => (c === undefined || c === 'f' ? 0x0f : c.charCodeAt(0) - 48);
  return Uint8Array.of((v(p.mcc[1]) << 4) | v(p.mcc[0]), (v(p.mnc[2]) << 4) | v(p.mcc[2]), (v(p.mnc[1]) << 4) | v(p.mnc[0]));
}
