/**
 * One codec per EF, keyed by the name the declarations give it (EF_IMSI, EF_PLMNwAcT …), shared by
 * the personalizer, the trace decoder and the docs. decode(bytes) gives a JSON value whose fields
 * are named after the spec's; encode(value, size) writes exactly `size` bytes (the file size, or
 * the record length of a record EF), FF where the spec pads; describe(bytes) is one line for people.
 * Strict: content the spec's coding cannot produce (a nibble A-E in a BCD digit, a length byte past
 * its field, data after the FF padding, a size the coding does not allow) is a RangeError naming the
 * EF and the offset; nothing is cut silently. A wrong value type given to encode is a TypeError.
 * Codings: ETSI TS 102.221 §13 (MF level), 3GPP TS 51.011 §10 (DF_GSM, DF_TELECOM), 3GPP TS 31.102
 * §4.2, §4.4 (ADF_USIM). Vectors from published sources: test/fs/ef-codec-vectors.ts.
 */
import { bytesToHex, hexToBytes, readU16 } from '../runtime/bytes.js';
import { decodePlmn, decodeSwappedBcd, encodeIccid, encodeImsi, encodePlmn, encodeSwappedBcd, type Plmn } from './codecs.js';
import { EST, SST, UST, type ServiceTableDecl } from './services.js';
import { readTlvsStrict, type TlvItem } from '../runtime/tlv.js';
import type { EfDecl } from './types.js';

export interface EfCodec<N extends string = string> {
  readonly name: N;
  readonly ref: string;
  /** Linear fixed / cyclic: the codec reads one record. */
  readonly record: boolean;
  /** The fewest bytes the coding allows (of the file, or of one record). */
  readonly minSize: number;
  /** A JSON value (objects, arrays, strings, numbers, booleans, null). */
  readonly decode: (bytes: Uint8Array) => unknown;
  readonly encode: (value: unknown, size: number) => Uint8Array;
  readonly describe: (bytes: Uint8Array) => string;
}

// ---- checks of values given to encode (TypeError: wrong type; RangeError: wrong value) ----

type Obj = { readonly [k: string]: unknown };
function obj(v: unknown, f: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new TypeError(`"${f}" expected an object, got ${v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v}`);
  return v as Obj;
}
function arr(v: unknown, f: string): readonly unknown[] {
  if (!Array.isArray(v)) throw new TypeError(`"${f}" expected an array, got ${typeof v}`);
  return v;
}
function str(v: unknown, f: string): string {
  if (typeof v !== 'string') throw new TypeError(`"${f}" expected a string, got ${typeof v}`);
  return v;
}
function bool(v: unknown, f: string): boolean {
  if (typeof v !== 'boolean') throw new TypeError(`"${f}" expected a boolean, got ${typeof v}`);
  return v;
}
function int(v: unknown, f: string, min: number, max: number): number {
  if (typeof v !== 'number') throw new TypeError(`"${f}" expected a number, got ${typeof v}`);
  if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`"${f}" expected ${min}..${max}, got ${v}`);
  return v;
}
function hex(v: unknown, f: string, bytes?: number): Uint8Array {
  const b = hexToBytes(str(v, f));
  if (bytes !== undefined && b.length !== bytes) throw new RangeError(`"${f}" expected ${bytes} bytes of hex, got ${b.length}`);
  return b;
}
/** One of `names` (its index), by name. */
function oneOf(v: unknown, f: string, names: readonly string[]): number {
  const i = names.indexOf(str(v, f));
  if (i < 0) throw new RangeError(`"${f}" expected one of ${names.filter((n) => !n.startsWith('RFU')).map((n) => `"${n}"`).join(', ')}, got "${String(v)}"`);
  return i;
}

// ---- checks of content given to decode ----

const fail = (at: number, field: string, problem: string): never => {
  throw new RangeError(`"${field}" at offset ${at}: ${problem}`);
};
const allFf = (b: Uint8Array): boolean => b.every((x) => x === 0xff);
/** Every byte of b from `from` on is FF (`at`: offset of b[0] in the file, for the error). */
function ffAfter(b: Uint8Array, from: number, field: string, at = 0): void {
  for (let i = from; i < b.length; i++) if (b[i] !== 0xff) fail(at + i, field, `expected FF padding, got ${hx(b[i]!)}`);
}
const hx = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0');
const h = (b: Uint8Array): string => bytesToHex(b);
const u = (b: Uint8Array, off: number, n: number): number => b.subarray(off, off + n).reduce((a, x) => a * 256 + x, 0);
const be = (v: number, n: number): number[] => Array.from({ length: n }, (_, i) => Math.floor(v / 256 ** (n - 1 - i)) % 256);
function flags<K extends string>(byte: number, names: readonly K[]): Record<K, boolean> {
  return Object.fromEntries(names.map((n, i) => [n, ((byte >> i) & 1) === 1])) as Record<K, boolean>;
}
function flagByte(v: unknown, f: string, names: readonly string[]): number {
  const o = obj(v, f);
  return names.reduce((acc, n, i) => acc | (bool(o[n], `${f}.${n}`) ? 1 << i : 0), 0);
}

// ---- text: SMS default alphabet (TS 23.038 §6.2.1) or UCS2 (TS 31.102 Annex A: 80 / 81 / 82) ----

const GSM7 = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM7_EXT: { readonly [code: number]: string } = { 0x0a: '\f', 0x14: '^', 0x28: '{', 0x29: '}', 0x2f: '\\', 0x3c: '[', 0x3d: '~', 0x3e: ']', 0x40: '|', 0x65: '€' };

/** An alpha identifier / name field of `b.length` bytes (at = its offset in the file). */
export function decodeAlpha(b: Uint8Array, at: number, field: string): string {
  if (b.length === 0) return '';
  const t = b[0]!;
  if (t === 0x80) {
    let s = '';
    let i = 1;
    for (; i + 1 < b.length && !(b[i] === 0xff && b[i + 1] === 0xff); i += 2) s += String.fromCharCode(readU16(b, i));
    ffAfter(b, i, field, at);
    return s;
  }
  if (t === 0x81 || t === 0x82) {
    const head = t === 0x81 ? 3 : 4;
    if (b.length < head) fail(at + b.length, field, `UCS2 form ${hx(t)} needs ${head} header bytes`);
    const n = b[1]!;
    const base = t === 0x81 ? b[2]! << 7 : readU16(b, 2);
    if (head + n > b.length) fail(at + 1, field, `${n} characters do not fit in ${b.length - head} bytes`);
    let s = '';
    for (let i = head; i < head + n; i++) s += b[i]! & 0x80 ? String.fromCharCode(base + (b[i]! & 0x7f)) : GSM7[b[i]!]!;
    ffAfter(b, head + n, field, at);
    return s;
  }
  let s = '';
  let i = 0;
  for (; i < b.length && b[i] !== 0xff; i++) {
    const c = b[i]!;
    if (c & 0x80) fail(at + i, field, `byte ${hx(c)} is neither SMS default alphabet (b8 = 0) nor a UCS2 header`);
    if (c === 0x1b) {
      const e = GSM7_EXT[b[i + 1] ?? 0xff];
      if (e === undefined) fail(at + i + 1, field, 'escape to an undefined extension character');
      s += e;
      i++;
    } else s += GSM7[c]!;
  }
  ffAfter(b, i, field, at);
  return s;
}

/** The bytes of `text`: the SMS default alphabet when every character has a code there, else UCS2 form 80. */
function alphaBytes(text: string): number[] {
  const gsm: number[] = [];
  for (const ch of text) {
    const c = GSM7.indexOf(ch);
    const e = Object.keys(GSM7_EXT).find((k) => GSM7_EXT[Number(k)] === ch);
    if (c >= 0 && c !== 0x1b) gsm.push(c);
    else if (e !== undefined) gsm.push(0x1b, Number(e));
    else return [0x80, ...Array.from({ length: text.length }, (_, i) => [text.charCodeAt(i) >> 8, text.charCodeAt(i) & 0xff]).flat()];
  }
  return gsm;
}

/** `text` in a field of `n` bytes, FF padded (alphaBytes). */
export function encodeAlpha(text: string, n: number, field: string): Uint8Array {
  const b = alphaBytes(text);
  if (b.length > n) throw new RangeError(`"${field}" "${text}" needs ${b.length} bytes, the field has ${n}`);
  const out = new Uint8Array(n).fill(0xff);
  out.set(b);
  return out;
}

// ---- dialling numbers (TS 51.011 §10.5.1; TON/NPI TS 24.008 §10.5.4.7) ----

/** BCD digits of dialling numbers: A '*', B '#', C DTMF separator 'p', D wild '?' (TS 51.011 §10.5.1 table 12). */
const DIAL = '0123456789*#p?';
const TON = ['unknown', 'international', 'national', 'network specific', 'dedicated access', 'RFU 5', 'RFU 6', 'reserved for extension'] as const;
const NPI_NAMES: { readonly [code: number]: string } = { 0: 'unknown', 1: 'ISDN/telephony', 3: 'data', 4: 'telex', 8: 'national', 9: 'private', 15: 'reserved for extension' };
const NPI = Array.from({ length: 16 }, (_, i) => NPI_NAMES[i] ?? `RFU ${i}`);

export interface Address {
  readonly ton: string;
  readonly npi: string;
  readonly number: string;
}

/**
 * 12 bytes: length, TON/NPI, 10 bytes BCD. `digits`: the length counts digits (TP-DA, TS 23.040
 * §9.1.2.5); else it counts the TON/NPI byte and the BCD bytes (ADN, RP-SC address TS 24.011
 * §8.2.5.2). Length FF: no number (every byte FF).
 */
function readAddress(b: Uint8Array, off: number, field: string, digits: boolean): Address | null {
  const len = b[off]!;
  if (len === 0xff) {
    ffAfter(b.subarray(0, off + 12), off, field);
    return null;
  }
  const used = digits ? Math.ceil(len / 2) : len - 1;
  if (used < 0 || used > 10) fail(off, field, `length ${len} does not fit 10 BCD bytes`);
  const tn = b[off + 1]!;
  if (!(tn & 0x80)) fail(off + 1, field, `TON/NPI ${hx(tn)} without b8 (extension) set`);
  const number = decodeSwappedBcd(b.subarray(off + 2, off + 2 + used), field, off + 2, DIAL);
  if (digits ? number.length !== len : number.length < 2 * used - 1) fail(off, field, `length ${len} but ${number.length} digits`);
  ffAfter(b.subarray(0, off + 12), off + 2 + used, field);
  return { ton: TON[(tn >> 4) & 7]!, npi: NPI[tn & 0x0f]!, number };
}

function writeAddress(v: unknown, field: string, digits: boolean): number[] {
  if (v === null) return Array<number>(12).fill(0xff);
  const o = obj(v, field);
  const number = str(o['number'], `${field}.number`);
  const bcd = encodeSwappedBcd(number, 10, `${field}.number`, DIAL);
  const tn = 0x80 | (oneOf(o['ton'], `${field}.ton`, TON) << 4) | oneOf(o['npi'], `${field}.npi`, NPI);
  return [digits ? number.length : 1 + Math.ceil(number.length / 2), tn, ...bcd];
}

const showAddress = (a: Address | null): string => (a === null ? 'none' : `${a.ton === 'international' ? '+' : ''}${a.number}`);

// ---- BER-TLV, strict (ISO/IEC 7816-4 §5.2: 1- or 2-byte tags, lengths 00..7F, 81 xx, 82 xx xx) ----

/** The one strict BER-TLV reader (card/runtime/tlv.ts), re-exported for the decoders that read EFs. */
export { readTlvsStrict, type TlvItem } from '../runtime/tlv.js';

function tlv(tag: number, value: readonly number[] | Uint8Array): number[] {
  const v = Array.from(value);
  const t = tag > 0xff ? [tag >> 8, tag & 0xff] : [tag];
  return v.length < 0x80 ? [...t, v.length, ...v] : v.length < 0x100 ? [...t, 0x81, v.length, ...v] : [...t, 0x82, v.length >> 8, v.length & 0xff, ...v];
}

// ---- the codec factory: size rules, errors prefixed with the EF name ----

interface Spec<T> {
  readonly ref: string;
  readonly record?: boolean;
  readonly min: number;
  readonly max?: number;
  /** Content is whole entries of this many bytes. */
  readonly unit?: number;
  readonly decode: (b: Uint8Array) => T;
  /** Returns up to `size` bytes; the rest is padded with FF. */
  readonly encode: (v: unknown, size: number) => Uint8Array | readonly number[];
  readonly describe: (v: T, b: Uint8Array) => string;
}

function codec<T, N extends string>(name: N, s: Spec<T>): EfCodec<N> {
  const named = <R>(f: () => R): R => {
    try {
      return f();
    } catch (e) {
      if (e instanceof RangeError) throw new RangeError(`${name}: ${e.message}`);
      if (e instanceof TypeError) throw new TypeError(`${name}: ${e.message}`);
      throw e;
    }
  };
  const what = s.record ? 'record' : 'content';
  const checkSize = (n: number, at: (n: number) => string): void => {
    if (n < s.min) throw new RangeError(`"size" ${at(n)}: ${what} expected at least ${s.min} bytes, got ${n}`);
    if (s.max !== undefined && n > s.max) throw new RangeError(`"size" ${at(s.max)}: ${what} expected at most ${s.max} bytes, got ${n}`);
    if (s.unit !== undefined && n % s.unit !== 0) throw new RangeError(`"size" ${at(n - (n % s.unit))}: ${what} expected whole ${s.unit}-byte entries, got ${n} bytes`);
  };
  const decode = (b: Uint8Array): T =>
    named(() => {
      checkSize(b.length, (n) => `at offset ${n}`);
      return s.decode(b);
    });
  return {
    name, ref: s.ref, record: s.record === true, minSize: s.min,
    decode,
    encode: (v, size) =>
      named(() => {
        if (!Number.isInteger(size)) throw new RangeError(`"size" expected an integer, got ${size}`);
        checkSize(size, () => 'of encode');
        const body = s.encode(v, size);
        if (body.length > size) throw new RangeError(`value needs ${body.length} bytes, the ${what} has ${size}`);
        const out = new Uint8Array(size).fill(0xff);
        out.set(body);
        return out;
      }),
    describe: (b) => {
      const v = decode(b);
      return named(() => s.describe(v, b));
    },
  };
}

// ---- the codings ----

const iccid = codec('EF_ICCID', {
  ref: 'ETSI TS 102.221 §13.2', min: 10, max: 10,
  decode: (b) => {
    const d = decodeSwappedBcd(b, 'iccid');
    if (d.length < 18) fail(Math.floor(d.length / 2), 'iccid', `expected 18..20 digits, got ${d.length}`);
    return { iccid: d };
  },
  encode: (v) => encodeIccid(str(obj(v, 'value')['iccid'], 'iccid')),
  describe: (v) => `ICCID ${v.iccid}`,
});

/** TS 51.011 §10.3.2 / TS 31.102 §4.2.2: length, then parity nibble (b1-b3 001 = IMSI, b4 = odd). FF: none. */
const imsi = codec('EF_IMSI', {
  ref: '3GPP TS 31.102 §4.2.2; TS 51.011 §10.3.2', min: 9, max: 9,
  decode: (b) => {
    if (allFf(b)) return { imsi: null };
    const len = b[0]!;
    if (len < 1 || len > 8) fail(0, 'imsi', `length ${len} expected 1..8`);
    const p = b[1]! & 0x0f;
    if ((p & 0x07) !== 0x01) fail(1, 'imsi', `identity type ${p & 7} is not IMSI (1)`);
    const d = decodeSwappedBcd(b.subarray(1, 1 + len), 'imsi', 1, '0123456789').slice(1);
    const want = p & 0x08 ? 2 * len - 1 : 2 * len - 2;
    if (d.length !== want) fail(len, 'imsi', `parity says ${p & 0x08 ? 'odd' : 'even'} and length ${len}: ${want} digits, got ${d.length}`);
    ffAfter(b, 1 + len, 'imsi');
    return { imsi: d };
  },
  encode: (v) => {
    const x = obj(v, 'value')['imsi'];
    if (x === null) return [];
    const s = str(x, 'imsi');
    return encodeImsi(s);
  },
  describe: (v) => (v.imsi === null ? 'no IMSI' : `IMSI ${v.imsi}`),
});

/** TS 51.011 §10.3.18 / TS 31.102 §4.2.18 byte 1. */
const OP_MODE: { readonly [code: number]: string } = { 0x00: 'normal', 0x80: 'type approval', 0x01: 'normal and specific facilities', 0x81: 'type approval and specific facilities', 0x02: 'maintenance (off line)', 0x04: 'cell test' };
const AD_INFO = ['cipheringIndicator', 'csgDisplayControl', 'proseServices', 'extendedDrx'] as const;
const ad = codec('EF_AD', {
  ref: '3GPP TS 31.102 §4.2.18; TS 51.011 §10.3.18', min: 3,
  decode: (b) => {
    const mode = OP_MODE[b[0]!] ?? fail(0, 'msOperationMode', `${hx(b[0]!)} is not a defined operation mode`);
    const info = u(b, 1, 2);
    const out: Record<string, unknown> = { msOperationMode: mode, additionalInformation: { ...flags(info & 0x0f, AD_INFO), ...(info & 0xfff0 ? { rfu: info & 0xfff0 } : {}) } };
    if (b.length > 3) {
      if (b[3]! & 0xf0 || ![2, 3].includes(b[3]!)) fail(3, 'mncLength', `${hx(b[3]!)} expected 02 or 03`);
      out['mncLength'] = b[3]!;
    }
    if (b.length > 4) out['extensions'] = h(b.subarray(4));
    return out as { msOperationMode: string; mncLength?: number; additionalInformation: Record<string, unknown> };
  },
  encode: (v) => {
    const o = obj(v, 'value');
    const modes = Object.entries(OP_MODE);
    const mode = modes[oneOf(o['msOperationMode'], 'msOperationMode', modes.map(([, n]) => n))]![0];
    const ai = obj(o['additionalInformation'], 'additionalInformation');
    const info = flagByte(ai, 'additionalInformation', AD_INFO) | (ai['rfu'] === undefined ? 0 : int(ai['rfu'], 'additionalInformation.rfu', 0, 0xfff0) & 0xfff0);
    const out = [Number(mode), info >> 8, info & 0xff];
    if (o['mncLength'] !== undefined) out.push(int(o['mncLength'], 'mncLength', 2, 3));
    if (o['extensions'] !== undefined) out.push(...hex(o['extensions'], 'extensions'));
    return out;
  },
  describe: (v) => `${v.msOperationMode} operation${v.mncLength ? `, MNC length ${v.mncLength}` : ''}${Object.entries(v.additionalInformation).filter(([k, x]) => x === true && k !== 'rfu').map(([k]) => `, ${k}`).join('')}`,
});

function serviceTable(t: ServiceTableDecl): EfCodec<ServiceTableDecl['name']> {
  const sst = t.bitsPerService === 2;
  const key = t === EST ? 'enabled' : 'available';
  const name = (n: number): string => `${n} ${t.services.find((s) => s.n === n)?.name ?? 'RFU'}`;
  const walk = (b: Uint8Array, bit: number): number[] => {
    const out: number[] = [];
    for (let n = 1; n * t.bitsPerService <= b.length * 8; n++) {
      const at = (n - 1) * t.bitsPerService + bit;
      if ((b[at >> 3]! >> (at & 7)) & 1) out.push(n);
    }
    return out;
  };
  const put = (out: number[], list: unknown, f: string, bit: number): void => {
    for (const [i, x] of arr(list, f).entries()) {
      const n = int(x, `${f}[${i}]`, 1, (out.length * 8) / t.bitsPerService);
      const at = (n - 1) * t.bitsPerService + bit;
      out[at >> 3]! |= 1 << (at & 7);
    }
  };
  return codec(t.name, {
    ref: t.ref, min: sst ? 2 : 1,
    // TS 51.011 §10.3.7: b1 of a service's pair = allocated, b2 = activated; UST/EST: one bit.
    decode: (b) => (sst ? { allocated: walk(b, 0), activated: walk(b, 1) } : { [key]: walk(b, 0) }),
    encode: (v, size) => {
      const o = obj(v, 'value');
      const out = Array<number>(size).fill(0);
      if (sst) {
        put(out, o['allocated'], 'allocated', 0);
        put(out, o['activated'], 'activated', 1);
      } else put(out, o[key], key, 0);
      return out;
    },
    describe: (v) => {
      if (!sst) return `${key}: ${(v as Record<string, number[]>)[key]!.map(name).join(', ') || 'none'}`;
      const { allocated: al, activated: ac } = v as { allocated: number[]; activated: number[] };
      const both = al.filter((n) => ac.includes(n));
      const parts = [`allocated and activated: ${both.map(name).join(', ') || 'none'}`];
      if (al.length > both.length) parts.push(`allocated only: ${al.filter((n) => !ac.includes(n)).map(name).join(', ')}`);
      if (ac.length > both.length) parts.push(`activated only: ${ac.filter((n) => !al.includes(n)).map(name).join(', ')}`);
      return parts.join('; ');
    },
  });
}

/** TS 31.102 §4.2.12 / TS 51.011 §10.3.11: display condition (b1, b2; b3-b8 RFU), name padded with FF. */
const SPN_FLAGS = ['registeredPlmnNameRequired', 'spnNotRequiredOutsideHome'] as const;
const spn = codec('EF_SPN', {
  ref: '3GPP TS 31.102 §4.2.12; TS 51.011 §10.3.11', min: 17, max: 17,
  decode: (b) => {
    if (b[0]! & 0xfc) fail(0, 'displayCondition', `RFU bits set in ${hx(b[0]!)}`);
    return { displayCondition: flags(b[0]!, SPN_FLAGS), serviceProviderName: decodeAlpha(b.subarray(1), 1, 'serviceProviderName') };
  },
  encode: (v) => {
    const o = obj(v, 'value');
    return [flagByte(o['displayCondition'], 'displayCondition', SPN_FLAGS), ...encodeAlpha(str(o['serviceProviderName'], 'serviceProviderName'), 16, 'serviceProviderName')];
  },
  describe: (v) => `"${v.serviceProviderName}"${v.displayCondition.registeredPlmnNameRequired ? ', registered PLMN name shown at home' : ''}${v.displayCondition.spnNotRequiredOutsideHome ? ', SPN not required outside home' : ''}`,
});

/** ADN-type record (TS 51.011 §10.5.1, MSISDN §10.5.5): X bytes alpha, 12 bytes address, CCP id, extension record. */
function dialling<N extends string>(name: N, ref: string, ext: string): EfCodec<N> {
  return codec(name, {
    ref, record: true, min: 14,
    decode: (b) => {
      if (allFf(b)) return null;
      const x = b.length - 14;
      const opt = (n: number): number | null => (n === 0xff ? null : n);
      return { alphaIdentifier: decodeAlpha(b.subarray(0, x), 0, 'alphaIdentifier'), diallingNumber: readAddress(b, x, 'diallingNumber', false), ccpRecordId: opt(b[x + 12]!), [ext]: opt(b[x + 13]!) };
    },
    encode: (v, size) => {
      if (v === null) return [];
      const o = obj(v, 'value');
      const opt = (k: string): number => (o[k] === null ? 0xff : int(o[k], k, 0, 254));
      return [...encodeAlpha(str(o['alphaIdentifier'], 'alphaIdentifier'), size - 14, 'alphaIdentifier'), ...writeAddress(o['diallingNumber'], 'diallingNumber', false), opt('ccpRecordId'), opt(ext)];
    },
    describe: (v) => (v === null ? 'empty' : `${v.alphaIdentifier ? `"${v.alphaIdentifier}" ` : ''}${showAddress(v.diallingNumber)}`),
  });
}

/** TS 23.040 §9.2.3.12.1 relative validity period ↔ minutes (the four ranges do not overlap). */
function vpMinutes(vp: number): number {
  return vp <= 143 ? (vp + 1) * 5 : vp <= 167 ? 720 + (vp - 143) * 30 : vp <= 196 ? (vp - 166) * 1440 : (vp - 192) * 10080;
}
function vpByte(min: number): number {
  for (let vp = 0; vp < 256; vp++) if (vpMinutes(vp) === min) return vp;
  throw new RangeError(`"validityPeriodMinutes" ${min} is no relative validity period (5..720 by 5, 750..1440 by 30, 2880..43200 by 1440, 50400..635040 by 10080)`);
}
/** TS 51.011 §10.5.6: parameter indicators b1..b5 = 0 when the parameter is present; b6-b8 = 1. */
const SMSP_PARAMS = ['destinationAddress', 'serviceCentreAddress', 'protocolIdentifier', 'dataCodingScheme', 'validityPeriod'] as const;
const smsp = codec('EF_SMSP', {
  ref: '3GPP TS 51.011 §10.5.6; TS 31.102 §4.2.27', record: true, min: 28,
  decode: (b) => {
    const y = b.length - 28;
    const pi = b[y]!;
    if ((pi & 0xe0) !== 0xe0) fail(y, 'parameterIndicators', `b6-b8 expected 1, got ${hx(pi)}`);
    return {
      alphaIdentifier: decodeAlpha(b.subarray(0, y), 0, 'alphaIdentifier'),
      parameterIndicators: flags(~pi & 0x1f, SMSP_PARAMS),
      destinationAddress: readAddress(b, y + 1, 'destinationAddress', true),
      serviceCentreAddress: readAddress(b, y + 13, 'serviceCentreAddress', false),
      protocolIdentifier: b[y + 25]!, dataCodingScheme: b[y + 26]!, validityPeriodMinutes: vpMinutes(b[y + 27]!),
    };
  },
  encode: (v, size) => {
    const o = obj(v, 'value');
    return [
      ...encodeAlpha(str(o['alphaIdentifier'], 'alphaIdentifier'), size - 28, 'alphaIdentifier'), 0xe0 | (~flagByte(o['parameterIndicators'], 'parameterIndicators', SMSP_PARAMS) & 0x1f),
      ...writeAddress(o['destinationAddress'], 'destinationAddress', true), ...writeAddress(o['serviceCentreAddress'], 'serviceCentreAddress', false),
      int(o['protocolIdentifier'], 'protocolIdentifier', 0, 255), int(o['dataCodingScheme'], 'dataCodingScheme', 0, 255), vpByte(int(o['validityPeriodMinutes'], 'validityPeriodMinutes', 5, 635040)),
    ];
  },
  describe: (v) => `${v.alphaIdentifier ? `"${v.alphaIdentifier}" ` : ''}service centre ${showAddress(v.serviceCentreAddress)}${v.parameterIndicators.validityPeriod ? `, validity ${v.validityPeriodMinutes} min` : ''}`,
});

// ---- PLMN lists (TS 51.011 §10.3.4, §10.3.16; TS 31.102 §4.2.5, §4.2.16, §4.2.84) ----

const plmnText = (p: Plmn): string => (p.mcc === 'fff' && p.mnc === 'ff' ? 'none' : `${p.mcc}-${p.mnc}`);
function plmnList<N extends string>(name: N, ref: string, min: number): EfCodec<N> {
  return codec(name, {
    ref, min, unit: 3,
    decode: (b) => {
      const out: (Plmn | null)[] = [];
      for (let i = 0; i < b.length; i += 3) out.push(b[i] === 0xff && b[i + 1] === 0xff && b[i + 2] === 0xff ? null : decodePlmn(b, i));
      while (out.length && out[out.length - 1] === null) out.pop();
      return out;
    },
    encode: (v) => arr(v, 'value').flatMap((p, i) => (p === null ? [0xff, 0xff, 0xff] : [...encodePlmn(p as Plmn, `value[${i}]`)])),
    describe: (v) => v.map((p) => (p ? plmnText(p) : '-')).join(', ') || 'none',
  });
}

/**
 * TS 31.102 §4.2.5 access technology (2 bytes): UTRAN 8000, E-UTRAN 4000 with b6/b5 (table
 * 4.2.5.1: 100 or 111 both modes, 110 WB-S1 only, 101 NB-S1 only), NG-RAN 0800; GSM 0080 with b4/b3
 * (table 4.2.5.2: 100 or 111 GSM and EC-GSM-IoT, 101 GSM only, 110 EC-GSM-IoT only), GSM COMPACT
 * 0040, cdma2000 HRPD 0020, cdma2000 1xRTT 0010. RFU bits are not kept (an FFFF AcT, as cards ship
 * for "all", decodes to every technology).
 */
function decodeAct(a: number): string[] {
  const out: string[] = [];
  if (a & 0x8000) out.push('UTRAN');
  const e = (a >> 12) & 7;
  if (e === 4 || e === 7 || e === 6) out.push('E-UTRAN WB-S1');
  if (e === 4 || e === 7 || e === 5) out.push('E-UTRAN NB-S1');
  if (a & 0x0800) out.push('NG-RAN');
  const g = ((a >> 7) & 1) << 2 | ((a >> 2) & 3);
  if (g === 4 || g === 7 || g === 5) out.push('GSM');
  if (g === 4 || g === 7 || g === 6) out.push('EC-GSM-IoT');
  if (a & 0x0040) out.push('GSM COMPACT');
  if (a & 0x0020) out.push('cdma2000 HRPD');
  if (a & 0x0010) out.push('cdma2000 1xRTT');
  return out;
}
const ACT_NAMES = ['UTRAN', 'E-UTRAN WB-S1', 'E-UTRAN NB-S1', 'NG-RAN', 'GSM', 'EC-GSM-IoT', 'GSM COMPACT', 'cdma2000 HRPD', 'cdma2000 1xRTT'];
function encodeAct(v: unknown, f: string): number {
  const s = new Set(arr(v, f).map((x, i) => ACT_NAMES[oneOf(x, `${f}[${i}]`, ACT_NAMES)]!));
  const wb = s.has('E-UTRAN WB-S1');
  const nb = s.has('E-UTRAN NB-S1');
  const gsm = s.has('GSM');
  const ec = s.has('EC-GSM-IoT');
  // Both E-UTRAN modes as 100 and both GSM kinds as 111: the codes osmocom pySim writes.
  return (s.has('UTRAN') ? 0x8000 : 0) | (wb && nb ? 0x4000 : wb ? 0x6000 : nb ? 0x5000 : 0) | (s.has('NG-RAN') ? 0x0800 : 0)
    | (gsm && ec ? 0x008c : gsm ? 0x0084 : ec ? 0x0088 : 0) | (s.has('GSM COMPACT') ? 0x40 : 0) | (s.has('cdma2000 HRPD') ? 0x20 : 0) | (s.has('cdma2000 1xRTT') ? 0x10 : 0);
}
type PlmnAct = Plmn & { accessTechnologies: string[] };
function plmnActList<N extends string>(name: N, ref: string): EfCodec<N> {
  return codec(name, {
    ref, min: 5, unit: 5,
    decode: (b) => {
      const out: (PlmnAct | null)[] = [];
      for (let i = 0; i < b.length; i += 5) {
        const act = u(b, i + 3, 2);
        out.push(b[i] === 0xff && b[i + 1] === 0xff && b[i + 2] === 0xff && act === 0 ? null : { ...decodePlmn(b, i), accessTechnologies: decodeAct(act) });
      }
      while (out.length && out[out.length - 1] === null) out.pop();
      return out;
    },
    encode: (v, size) => {
      const out = arr(v, 'value').flatMap((e, i) => {
        if (e === null) return [0xff, 0xff, 0xff, 0, 0];
        const a = encodeAct(obj(e, `value[${i}]`)['accessTechnologies'], `value[${i}].accessTechnologies`);
        return [...encodePlmn(e as Plmn, `value[${i}]`), a >> 8, a & 0xff];
      });
      // Unused entries: FFFFFF 0000, as pySim writes them and a sysmoISIM-SJA2 ships them.
      while (out.length < size) out.push(0xff, 0xff, 0xff, 0, 0);
      return out;
    },
    describe: (v) => v.map((p) => (p ? `${plmnText(p)} (${p.accessTechnologies.join('/') || 'no AcT'})` : '-')).join(', ') || 'none',
  });
}

// ---- location information ----

/** TS 31.102 §4.2.17 / TS 51.011 §10.3.17: TMSI, LAI (PLMN, LAC), TMSI TIME (31.102: RFU), status b1-b3. */
const LU_STATUS = ['updated', 'not updated', 'PLMN not allowed', 'location area not allowed', 'RFU 4', 'RFU 5', 'RFU 6', 'reserved'];
const RAU_STATUS = ['updated', 'not updated', 'PLMN not allowed', 'routing area not allowed', 'RFU 4', 'RFU 5', 'RFU 6', 'reserved'];
const EPS_STATUS = ['updated', 'not updated', 'roaming not allowed', 'reserved 3', 'RFU 4', 'RFU 5', 'RFU 6', 'RFU 7'];
function status(b: number, at: number, field: string, names: readonly string[]): string {
  if (b & 0xf8 || names[b]!.startsWith('RFU')) fail(at, field, `${hx(b)} is not a defined status`);
  return names[b]!;
}
const loci = codec('EF_LOCI', {
  ref: '3GPP TS 31.102 §4.2.17; TS 51.011 §10.3.17', min: 11, max: 11,
  decode: (b) => ({ tmsi: h(b.subarray(0, 4)), lai: { ...decodePlmn(b, 4, 'lai'), lac: h(b.subarray(7, 9)) }, tmsiTime: b[9]!, locationUpdateStatus: status(b[10]!, 10, 'locationUpdateStatus', LU_STATUS) }),
  encode: (v) => {
    const o = obj(v, 'value');
    const lai = obj(o['lai'], 'lai');
    return [...hex(o['tmsi'], 'tmsi', 4), ...encodePlmn(lai as unknown as Plmn, 'lai'), ...hex(lai['lac'], 'lai.lac', 2), int(o['tmsiTime'], 'tmsiTime', 0, 255), oneOf(o['locationUpdateStatus'], 'locationUpdateStatus', LU_STATUS)];
  },
  describe: (v) => `TMSI ${v.tmsi}, LAI ${plmnText(v.lai)} LAC ${v.lai.lac}, ${v.locationUpdateStatus}`,
});

/** TS 31.102 §4.2.23 EF_PSLOCI / TS 51.011 §10.3.33 EF_LOCIGPRS: P-TMSI, signature, RAI (PLMN, LAC, RAC), status. */
function psLoci<N extends string>(name: N, ref: string): EfCodec<N> {
  return codec(name, {
    ref, min: 14, max: 14,
    decode: (b) => ({
      pTmsi: h(b.subarray(0, 4)), pTmsiSignature: h(b.subarray(4, 7)),
      rai: { ...decodePlmn(b, 7, 'rai'), lac: h(b.subarray(10, 12)), rac: h(b.subarray(12, 13)) },
      routingAreaUpdateStatus: status(b[13]!, 13, 'routingAreaUpdateStatus', RAU_STATUS),
    }),
    encode: (v) => {
      const o = obj(v, 'value');
      const rai = obj(o['rai'], 'rai');
      return [...hex(o['pTmsi'], 'pTmsi', 4), ...hex(o['pTmsiSignature'], 'pTmsiSignature', 3), ...encodePlmn(rai as unknown as Plmn, 'rai'), ...hex(rai['lac'], 'rai.lac', 2), ...hex(rai['rac'], 'rai.rac', 1), oneOf(o['routingAreaUpdateStatus'], 'routingAreaUpdateStatus', RAU_STATUS)];
    },
    describe: (v) => `P-TMSI ${v.pTmsi}, RAI ${plmnText(v.rai)} LAC ${v.rai.lac} RAC ${v.rai.rac}, ${v.routingAreaUpdateStatus}`,
  });
}

/**
 * TS 31.102 §4.2.91: GUTI (12 bytes, the EPS mobile identity of TS 24.301 §9.9.3.12 from its
 * length octet: 0B F6, PLMN, MME group id, MME code, M-TMSI; all FF: none), last visited
 * registered TAI (PLMN, TAC), EPS update status.
 */
const epsLoci = codec('EF_EPSLOCI', {
  ref: '3GPP TS 31.102 §4.2.91', min: 18, max: 18,
  decode: (b) => {
    let guti = null;
    if (!allFf(b.subarray(0, 12))) {
      if (b[0] !== 0x0b || b[1] !== 0xf6) fail(b[0] !== 0x0b ? 0 : 1, 'guti', `expected 0B F6 (11 bytes, type GUTI), got ${hx(b[0]!)} ${hx(b[1]!)}`);
      guti = { ...decodePlmn(b, 2, 'guti'), mmeGroupId: h(b.subarray(5, 7)), mmeCode: h(b.subarray(7, 8)), mTmsi: h(b.subarray(8, 12)) };
    }
    return { guti, lastVisitedRegisteredTai: { ...decodePlmn(b, 12, 'tai'), tac: h(b.subarray(15, 17)) }, epsUpdateStatus: status(b[17]!, 17, 'epsUpdateStatus', EPS_STATUS) };
  },
  encode: (v) => {
    const o = obj(v, 'value');
    const tai = obj(o['lastVisitedRegisteredTai'], 'lastVisitedRegisteredTai');
    let guti = Array<number>(12).fill(0xff);
    if (o['guti'] !== null) {
      const g = obj(o['guti'], 'guti');
      guti = [0x0b, 0xf6, ...encodePlmn(g as unknown as Plmn, 'guti'), ...hex(g['mmeGroupId'], 'guti.mmeGroupId', 2), ...hex(g['mmeCode'], 'guti.mmeCode', 1), ...hex(g['mTmsi'], 'guti.mTmsi', 4)];
    }
    return [...guti, ...encodePlmn(tai as unknown as Plmn, 'lastVisitedRegisteredTai'), ...hex(tai['tac'], 'lastVisitedRegisteredTai.tac', 2), oneOf(o['epsUpdateStatus'], 'epsUpdateStatus', EPS_STATUS)];
  },
  describe: (v) => `GUTI ${v.guti ? `${plmnText(v.guti)} ${v.guti.mmeGroupId}/${v.guti.mmeCode}/${v.guti.mTmsi}` : 'none'}, TAI ${plmnText(v.lastVisitedRegisteredTai)} TAC ${v.lastVisitedRegisteredTai.tac}, ${v.epsUpdateStatus}`,
});

// ---- keys ----

/** TS 51.011 §10.3.3 / TS 31.102 §4.4.3.1: Kc (8 bytes), CKSN b1-b3 (7 = no key), b4-b8 = 0. */
function kc<N extends string>(name: N, ref: string): EfCodec<N> {
  return codec(name, {
    ref, min: 9, max: 9,
    decode: (b) => {
      if (b[8]! & 0xf8) fail(8, 'cksn', `b4-b8 expected 0, got ${hx(b[8]!)}`);
      return { kc: h(b.subarray(0, 8)), cksn: b[8]! };
    },
    encode: (v) => [...hex(obj(v, 'value')['kc'], 'kc', 8), int(obj(v, 'value')['cksn'], 'cksn', 0, 7)],
    describe: (v) => (v.cksn === 7 ? 'no key (CKSN 7)' : `Kc ${v.kc}, CKSN ${v.cksn}`),
  });
}
/** TS 31.102 §4.2.3 / §4.2.4: KSI b1-b3 (7 = no key), CK, IK. */
function keys<N extends string>(name: N, ref: string): EfCodec<N> {
  return codec(name, {
    ref, min: 33, max: 33,
    decode: (b) => {
      if (b[0]! & 0xf8) fail(0, 'ksi', `b4-b8 expected 0, got ${hx(b[0]!)}`);
      return { ksi: b[0]!, ck: h(b.subarray(1, 17)), ik: h(b.subarray(17, 33)) };
    },
    encode: (v) => {
      const o = obj(v, 'value');
      return [int(o['ksi'], 'ksi', 0, 7), ...hex(o['ck'], 'ck', 16), ...hex(o['ik'], 'ik', 16)];
    },
    describe: (v) => (v.ksi === 7 ? 'no keys (KSI 7)' : `KSI ${v.ksi}, CK ${v.ck}, IK ${v.ik}`),
  });
}

// ---- small numbers ----

function unsigned<K extends string, N extends string>(name: N, ref: string, field: K, n: number, record: boolean, show: (x: number) => string): EfCodec<N> {
  return codec(name, {
    ref, min: n, max: n, record,
    decode: (b) => ({ [field]: u(b, 0, n) }) as Record<K, number>,
    encode: (v) => be(int(obj(v, 'value')[field], field, 0, 256 ** n - 1), n),
    describe: (v) => show(v[field]),
  });
}

/** TS 51.011 §10.3.12 / TS 31.102 §4.2.13: currency code (3 characters; FFFFFF none), EPPU (12 bits), EX (b5 sign, b6-b8). */
const puct = codec('EF_PUCT', {
  ref: '3GPP TS 51.011 §10.3.12; TS 31.102 §4.2.13', min: 5, max: 5,
  decode: (b) => {
    const cc = allFf(b.subarray(0, 3)) ? null : decodeAlpha(b.subarray(0, 3), 0, 'currencyCode');
    if (cc !== null && cc.length !== 3) fail(cc.length, 'currencyCode', `expected 3 characters, got ${cc.length}`);
    return { currencyCode: cc, eppu: (b[3]! << 4) | (b[4]! & 0x0f), ex: ((b[4]! >> 5) & 7) * (b[4]! & 0x10 ? -1 : 1) };
  },
  encode: (v) => {
    const o = obj(v, 'value');
    const ex = int(o['ex'], 'ex', -7, 7);
    const eppu = int(o['eppu'], 'eppu', 0, 0xfff);
    const cc = o['currencyCode'] === null ? [0xff, 0xff, 0xff] : encodeAlpha(str(o['currencyCode'], 'currencyCode'), 3, 'currencyCode');
    return [...cc, eppu >> 4, (eppu & 0x0f) | (ex < 0 ? 0x10 : 0) | (Math.abs(ex) << 5)];
  },
  describe: (v) => `${v.currencyCode ?? 'no currency'}: ${v.eppu}${v.ex ? ` × 10^${v.ex}` : ''} per unit`,
});

/** TS 102.221 §13.5: maximum current (mA), T_OP (s), additional information b1 b2; bytes 4-5 RFU. */
const UMPC_INFO = ['increasedIdleCurrent', 'uiccSuspend'] as const;
const umpc = codec('EF_UMPC', {
  ref: 'ETSI TS 102.221 §13.5', min: 3, max: 5,
  decode: (b) => {
    if (b[2]! & 0xfc) fail(2, 'additionalInformation', `RFU bits set in ${hx(b[2]!)}`);
    return { maxCurrent: b[0]!, tOp: b[1]!, additionalInformation: flags(b[2]!, UMPC_INFO), ...(b.length > 3 ? { rfu: h(b.subarray(3)) } : {}) };
  },
  encode: (v) => {
    const o = obj(v, 'value');
    return [int(o['maxCurrent'], 'maxCurrent', 0, 255), int(o['tOp'], 'tOp', 0, 255), flagByte(o['additionalInformation'], 'additionalInformation', UMPC_INFO), ...(o['rfu'] === undefined ? [] : hex(o['rfu'], 'rfu'))];
  },
  describe: (v) => `${v.maxCurrent} mA, T_OP ${v.tOp} s${v.additionalInformation.uiccSuspend ? ', supports SUSPEND UICC' : ''}${v.additionalInformation.increasedIdleCurrent ? ', increased idle current' : ''}`,
});

/** Contents left to the operator (GID1/GID2) or to a layer coded elsewhere (BCCH list, TS 44.018): bytes, trailing FF trimmed. */
function opaque<N extends string>(name: N, ref: string, field: string, min: number, max?: number): EfCodec<N> {
  return codec(name, {
    ref, min, ...(max !== undefined ? { max } : {}),
    decode: (b) => {
      let n = b.length;
      while (n > 0 && b[n - 1] === 0xff) n--;
      return { [field]: h(b.subarray(0, n)) };
    },
    encode: (v) => hex(obj(v, 'value')[field], field),
    describe: (v) => `${field} ${(v as Record<string, string>)[field] || '(none)'}`,
  });
}

/** TS 51.011 §10.3.15 / TS 31.102 §4.2.15: 16 bits, bit n (b1 of byte 2 = ACC 0) = access class n. */
const acc = codec('EF_ACC', {
  ref: '3GPP TS 31.102 §4.2.15; TS 51.011 §10.3.15', min: 2, max: 2,
  decode: (b) => ({ accessControlClasses: Array.from({ length: 16 }, (_, n) => n).filter((n) => (u(b, 0, 2) >> n) & 1) }),
  encode: (v) => be(arr(obj(v, 'value')['accessControlClasses'], 'accessControlClasses').reduce<number>((a, x, i) => a | (1 << int(x, `accessControlClasses[${i}]`, 0, 15)), 0), 2),
  describe: (v) => `access classes ${v.accessControlClasses.join(', ') || 'none'}`,
});

/** TS 102.221 §13.3 EF_PL / TS 31.102 §4.2.1 EF_LI: ISO 639 codes, 2 characters each; FFFF unused. */
function languages<N extends string>(name: N, ref: string): EfCodec<N> {
  return codec(name, {
    ref, min: 2, unit: 2,
    decode: (b) => {
      const out: (string | null)[] = [];
      for (let i = 0; i < b.length; i += 2) {
        if (b[i] === 0xff && b[i + 1] === 0xff) out.push(null);
        else if (!/^[a-z]{2}$/.test(String.fromCharCode(b[i]!, b[i + 1]!))) fail(i, 'language', `${hx(b[i]!)}${hx(b[i + 1]!)} is not an ISO 639 code`);
        else out.push(String.fromCharCode(b[i]!, b[i + 1]!));
      }
      while (out.length && out[out.length - 1] === null) out.pop();
      return { languages: out };
    },
    encode: (v) => arr(obj(v, 'value')['languages'], 'languages').flatMap((x, i) => {
      if (x === null) return [0xff, 0xff];
      const s = str(x, `languages[${i}]`);
      if (!/^[a-z]{2}$/.test(s)) throw new RangeError(`"languages[${i}]" expected an ISO 639 code (2 lower-case letters), got "${s}"`);
      return [s.charCodeAt(0), s.charCodeAt(1)];
    }),
    describe: (v) => v.languages.map((x) => x ?? '-').join(', ') || 'none',
  });
}

/** TS 51.011 §10.3.1 EF_LP: one byte per language, the CBS data coding scheme of TS 23.038 §5; FF unused. */
const CBS_LANGUAGE: { readonly [code: number]: string } = {
  0x00: 'German', 0x01: 'English', 0x02: 'Italian', 0x03: 'French', 0x04: 'Spanish', 0x05: 'Dutch', 0x06: 'Swedish', 0x07: 'Danish', 0x08: 'Portuguese', 0x09: 'Finnish',
  0x0a: 'Norwegian', 0x0b: 'Greek', 0x0c: 'Turkish', 0x0d: 'Hungarian', 0x0e: 'Polish', 0x0f: 'unspecified', 0x20: 'Czech', 0x21: 'Hebrew', 0x22: 'Arabic', 0x23: 'Russian', 0x24: 'Icelandic',
};
const lp = codec('EF_LP', {
  ref: '3GPP TS 51.011 §10.3.1', min: 1,
  decode: (b) => {
    let n = b.length;
    while (n > 0 && b[n - 1] === 0xff) n--;
    return { languageCodes: Array.from(b.subarray(0, n)) };
  },
  encode: (v) => arr(obj(v, 'value')['languageCodes'], 'languageCodes').map((x, i) => int(x, `languageCodes[${i}]`, 0, 255)),
  describe: (v) => v.languageCodes.map((c) => CBS_LANGUAGE[c] ?? `code ${hx(c)}`).join(', ') || 'none',
});

/** TS 31.102 §4.2.21: emergency call code (3 bytes BCD), alpha identifier (X bytes), service category. */
const ECC_CATEGORY = ['police', 'ambulance', 'fire brigade', 'marine guard', 'mountain rescue', 'manually initiated eCall', 'automatically initiated eCall'];
const ecc = codec('EF_ECC', {
  ref: '3GPP TS 31.102 §4.2.21', record: true, min: 4,
  decode: (b) => {
    if (allFf(b)) return null;
    const cat = b[b.length - 1]!;
    if (cat & 0x80) fail(b.length - 1, 'emergencyServiceCategory', `b8 (spare) set in ${hx(cat)}`);
    return {
      emergencyCallCode: decodeSwappedBcd(b.subarray(0, 3), 'emergencyCallCode', 0, DIAL),
      ...(b.length > 4 ? { alphaIdentifier: decodeAlpha(b.subarray(3, b.length - 1), 3, 'alphaIdentifier') } : {}),
      emergencyServiceCategory: ECC_CATEGORY.filter((_, i) => (cat >> i) & 1),
    };
  },
  encode: (v, size) => {
    if (v === null) return [];
    const o = obj(v, 'value');
    const cat = arr(o['emergencyServiceCategory'], 'emergencyServiceCategory').reduce<number>((a, x, i) => a | (1 << oneOf(x, `emergencyServiceCategory[${i}]`, ECC_CATEGORY)), 0);
    const alpha = size > 4 ? encodeAlpha(o['alphaIdentifier'] === undefined ? '' : str(o['alphaIdentifier'], 'alphaIdentifier'), size - 4, 'alphaIdentifier') : [];
    return [...encodeSwappedBcd(str(o['emergencyCallCode'], 'emergencyCallCode'), 3, 'emergencyCallCode', DIAL), ...alpha, cat];
  },
  describe: (v) => (v === null ? 'empty' : `${v.emergencyCallCode || '(no code)'}${v.alphaIdentifier ? ` "${v.alphaIdentifier}"` : ''}${v.emergencyServiceCategory.length ? ` (${v.emergencyServiceCategory.join(', ')})` : ''}`),
});

/** TS 102.221 §13.1: one application template 61 (AID 4F, label 50, ISO/IEC 7816-4 §8.2.1.1 optional DOs), FF padded. */
const DIR_TAGS: readonly (readonly [number, string])[] = [[0x4f, 'aid'], [0x50, 'label'], [0x51, 'path'], [0x52, 'commandApdu'], [0x53, 'discretionaryData'], [0x73, 'discretionaryTemplate'], [0x5f50, 'url']];
const dir = codec('EF_DIR', {
  ref: 'ETSI TS 102.221 §13.1', record: true, min: 5,
  decode: (b) => {
    if (allFf(b)) return null;
    const top = readTlvsStrict(b, 'application template', 0, true);
    if (top.length !== 1 || top[0]!.tag !== 0x61) fail(top[1]?.at ?? 0, 'application template', 'expected exactly one template 61');
    const out: Record<string, string> = {};
    for (const t of readTlvsStrict(top[0]!.value, 'application template', top[0]!.at + 2)) {
      const name = DIR_TAGS.find(([tag]) => tag === t.tag)?.[1] ?? fail(t.at, 'application template', `tag ${t.tag.toString(16).toUpperCase()} is not defined for EF_DIR`);
      if (out[name] !== undefined) fail(t.at, name, 'given twice');
      out[name] = t.tag === 0x50 ? decodeAlpha(t.value, t.at + 2, 'label') : h(t.value);
    }
    if (out['aid'] === undefined) fail(top[0]!.at, 'aid', 'application template without AID (4F)');
    return out;
  },
  encode: (v) => {
    if (v === null) return [];
    const o = obj(v, 'value');
    for (const k of Object.keys(o)) if (!DIR_TAGS.some(([, n]) => n === k)) throw new RangeError(`"${k}" is not a field of EF_DIR (${DIR_TAGS.map(([, n]) => n).join(', ')})`);
    const body = DIR_TAGS.filter(([, n]) => o[n] !== undefined).flatMap(([tag, n]) => tlv(tag, n === 'label' ? alphaBytes(str(o[n], n)) : hex(o[n], n)));
    return tlv(0x61, body);
  },
  describe: (v) => (v === null ? 'empty' : `application ${v.aid}${v.label ? ` "${v.label}"` : ''}`),
});

/**
 * TS 102.221 §9.2.4 / ISO/IEC 7816-4 §9.3.3 expanded format: rules of an access mode DO (80: EF
 * access mode bits b1 read, b2 update, b3 write, b4 deactivate, b5 activate, b6 terminate, b7
 * delete; 81..8F: a command header, b4..b1 = CLA INS P1 P2 present) and its security condition
 * DOs (90 00 always, 97 00 never, 9E condition byte, A4 CRT with 83 key reference and 95 usage
 * qualifier, A0 OR / A7 NOT / AF AND templates; ISO/IEC 7816-4:2013 table 33). Key references:
 * TS 102.221 §9.5.1 table 9.3.
 */
const AM_BITS = ['read', 'update', 'write', 'deactivate', 'activate', 'terminate', 'delete'];
const HEADER = ['cla', 'ins', 'p1', 'p2'] as const;
/** The name TS 102.221 table 9.3 gives a key reference (01 PIN Appl 1, 81 Second PIN Appl 1, 0A ADM1 …). */
export function keyName(k: number): string {
  if (k >= 0x01 && k <= 0x08) return `PIN Appl ${k}`;
  if (k >= 0x0a && k <= 0x0e) return `ADM${k - 9}`;
  if (k === 0x11) return 'PIN Universal';
  if (k >= 0x81 && k <= 0x88) return `Second PIN Appl ${k - 0x80}`;
  if (k >= 0x8a && k <= 0x8e) return `ADM${k - 0x84}`;
  return `key ${hx(k)}`;
}
function keyRef(s: string, f: string): number {
  for (let k = 0; k < 256; k++) if (keyName(k) === s) return k;
  throw new RangeError(`"${f}" expected a key reference name (PIN Appl 1, Second PIN Appl 1, ADM1, PIN Universal, key XX), got "${s}"`);
}
type Condition = string | { readonly [k: string]: unknown };
const NEST: { readonly [tag: number]: string } = { 0xa0: 'or', 0xa7: 'not', 0xaf: 'and' };
function readCondition(t: TlvItem): Condition {
  if (t.tag === 0x90 || t.tag === 0x97) {
    if (t.value.length) fail(t.at + 1, 'condition', `${hx(t.tag)} expected length 0`);
    return t.tag === 0x90 ? 'always' : 'never';
  }
  if (t.tag === 0x9e) {
    if (t.value.length !== 1) fail(t.at + 1, 'condition', '9E expected length 1');
    return { securityConditionByte: hx(t.value[0]!).toLowerCase() };
  }
  if (t.tag === 0xa4) {
    const out: Record<string, string> = {};
    for (const c of readTlvsStrict(t.value, 'crt', t.at + 2)) {
      if ((c.tag !== 0x83 && c.tag !== 0x95) || c.value.length !== 1) fail(c.at, 'crt', `expected 83 or 95 of length 1, got tag ${hx(c.tag)} length ${c.value.length}`);
      out[c.tag === 0x83 ? 'keyReference' : 'usageQualifier'] = c.tag === 0x83 ? keyName(c.value[0]!) : hx(c.value[0]!).toLowerCase();
    }
    if (out['keyReference'] === undefined) fail(t.at, 'crt', 'A4 without a key reference (83)');
    return out;
  }
  const nest = NEST[t.tag];
  if (nest) return { [nest]: readTlvsStrict(t.value, nest, t.at + 2).map(readCondition) };
  return fail(t.at, 'condition', `tag ${t.tag.toString(16).toUpperCase()} is not a security condition`);
}
function writeCondition(c: unknown, f: string): number[] {
  if (c === 'always') return [0x90, 0x00];
  if (c === 'never') return [0x97, 0x00];
  const o = obj(c, f);
  if (o['securityConditionByte'] !== undefined) return tlv(0x9e, hex(o['securityConditionByte'], `${f}.securityConditionByte`, 1));
  if (o['keyReference'] !== undefined) return tlv(0xa4, [...tlv(0x83, [keyRef(str(o['keyReference'], `${f}.keyReference`), `${f}.keyReference`)]), ...(o['usageQualifier'] === undefined ? [] : tlv(0x95, hex(o['usageQualifier'], `${f}.usageQualifier`, 1)))]);
  const [tag, n] = Object.entries(NEST).find(([, x]) => o[x] !== undefined) ?? [];
  if (tag === undefined || n === undefined) throw new RangeError(`"${f}" expected "always", "never" or {keyReference | securityConditionByte | or | and | not}`);
  return tlv(Number(tag), arr(o[n], `${f}.${n}`).flatMap((x, i) => writeCondition(x, `${f}.${n}[${i}]`)));
}
const arrCodec = codec('EF_ARR', {
  ref: 'ETSI TS 102.221 §13.4, §9.2.4', record: true, min: 1,
  decode: (b) => {
    const rules: { access: Record<string, unknown>; conditions: Condition[]; at: number }[] = [];
    for (const t of readTlvsStrict(b, 'rule', 0, true)) {
      if (t.tag >= 0x80 && t.tag <= 0x8f) {
        if (t.tag === 0x80) {
          if (t.value.length !== 1 || t.value[0]! & 0x80) fail(t.at, 'accessMode', 'expected one access mode byte with b8 = 0');
          rules.push({ access: { accessMode: AM_BITS.filter((_, i) => (t.value[0]! >> i) & 1) }, conditions: [], at: t.at });
        } else {
          const present = HEADER.filter((_, i) => (t.tag >> (3 - i)) & 1);
          if (t.value.length !== present.length) fail(t.at, 'command', `${hx(t.tag)} expected ${present.length} header bytes, got ${t.value.length}`);
          rules.push({ access: { command: Object.fromEntries(present.map((k, i) => [k, hx(t.value[i]!).toLowerCase()])) }, conditions: [], at: t.at });
        }
      } else {
        if (!rules.length) fail(t.at, 'rule', 'security condition before any access mode');
        rules[rules.length - 1]!.conditions.push(readCondition(t));
      }
    }
    const bare = rules.find((r) => !r.conditions.length);
    if (bare) fail(bare.at, 'rule', 'access mode without a security condition');
    return rules.map((r): { readonly [k: string]: unknown; readonly conditions: Condition[] } => ({ ...r.access, conditions: r.conditions }));
  },
  encode: (v) => arr(v, 'value').flatMap((r, i) => {
    const o = obj(r, `value[${i}]`);
    let am: number[];
    if (o['accessMode'] !== undefined) am = tlv(0x80, [arr(o['accessMode'], `value[${i}].accessMode`).reduce<number>((a, x, j) => a | (1 << oneOf(x, `value[${i}].accessMode[${j}]`, AM_BITS)), 0)]);
    else {
      const c = obj(o['command'], `value[${i}].command`);
      const present = HEADER.filter((k) => c[k] !== undefined);
      am = tlv(0x80 | present.reduce((a, k) => a | (1 << (3 - HEADER.indexOf(k))), 0), present.flatMap((k) => [...hex(c[k], `value[${i}].command.${k}`, 1)]));
    }
    return [...am, ...arr(o['conditions'], `value[${i}].conditions`).flatMap((c, j) => writeCondition(c, `value[${i}].conditions[${j}]`))];
  }),
  describe: (v) => v.map((r) => `${'accessMode' in r ? (r.accessMode as string[]).join('/') : `INS ${String((r.command as Record<string, string>)['ins'] ?? '?').toUpperCase()}`}: ${r.conditions.map(showCondition).join(' or ')}`).join('; ') || 'no rules',
});
function showCondition(c: Condition): string {
  if (typeof c === 'string') return c;
  if (c['keyReference'] !== undefined) return String(c['keyReference']);
  if (c['securityConditionByte'] !== undefined) return `SE ${String(c['securityConditionByte'])}`;
  const [k, list] = Object.entries(c)[0]!;
  return `${k.toUpperCase()}(${(list as Condition[]).map(showCondition).join(', ')})`;
}

/** TS 31.102 §4.4.2.1: templates A8 (type 1), A9 (type 2), AA (type 3) of file DOs C0..CB (FID, optional SFI). */
const PBR_FILES = ['EF_ADN', 'EF_IAP', 'EF_EXT1', 'EF_SNE', 'EF_ANR', 'EF_PBC', 'EF_GRP', 'EF_AAS', 'EF_GAS', 'EF_UID', 'EF_EMAIL', 'EF_CCP1'];
const pbr = codec('EF_PBR', {
  ref: '3GPP TS 31.102 §4.4.2.1', record: true, min: 1,
  decode: (b) => {
    if (allFf(b)) return null;
    return readTlvsStrict(b, 'template', 0, true).map((t) => {
      if (t.tag < 0xa8 || t.tag > 0xaa) fail(t.at, 'template', `tag ${hx(t.tag)} is not A8, A9 or AA`);
      return {
        type: t.tag - 0xa7,
        files: readTlvsStrict(t.value, 'file', t.at + 2).map((f) => {
          if (f.tag < 0xc0 || f.tag > 0xcb) fail(f.at, 'file', `tag ${hx(f.tag)} is not C0..CB`);
          if (f.value.length !== 2 && f.value.length !== 3) fail(f.at + 1, 'file', `expected FID (2 bytes) and optional SFI, got ${f.value.length} bytes`);
          return { file: PBR_FILES[f.tag - 0xc0]!, fid: h(f.value.subarray(0, 2)), ...(f.value.length === 3 ? { sfi: f.value[2]! } : {}) };
        }),
      };
    });
  },
  encode: (v) => {
    if (v === null) return [];
    return arr(v, 'value').flatMap((t, i) => {
      const o = obj(t, `value[${i}]`);
      return tlv(0xa7 + int(o['type'], `value[${i}].type`, 1, 3), arr(o['files'], `value[${i}].files`).flatMap((x, j) => {
        const fo = obj(x, `value[${i}].files[${j}]`);
        const f = `value[${i}].files[${j}]`;
        return tlv(0xc0 + oneOf(fo['file'], `${f}.file`, PBR_FILES), [...hex(fo['fid'], `${f}.fid`, 2), ...(fo['sfi'] === undefined ? [] : [int(fo['sfi'], `${f}.sfi`, 0, 255)])]);
      }));
    });
  },
  describe: (v) => (v === null ? 'empty' : v.map((t) => `type ${t.type}: ${t.files.map((f) => `${f.file} ${f.fid.toUpperCase()}${f.sfi !== undefined ? ` (SFI ${hx(f.sfi)})` : ''}`).join(', ')}`).join('; ')),
});

/** TS 31.102 §4.2.85: EHPLMN presentation indication. */
const EHPLMNPI = ['no preference', 'display the highest-priority EHPLMN only', 'display all EHPLMNs'];
const ehplmnpi = codec('EF_EHPLMNPI', {
  ref: '3GPP TS 31.102 §4.2.85', min: 1, max: 1,
  decode: (b) => ({ presentationIndication: EHPLMNPI[b[0]!] ?? fail(0, 'presentationIndication', `${hx(b[0]!)} is RFU`) }),
  encode: (v) => [oneOf(obj(v, 'value')['presentationIndication'], 'presentationIndication', EHPLMNPI)],
  describe: (v) => v.presentationIndication,
});

/** TS 51.011 §10.3.19: '00' phase 1, '02' phase 2, '03' phase 2 and PROFILE DOWNLOAD required. */
const PHASE: { readonly [n: number]: string } = { 0: 'phase 1', 2: 'phase 2', 3: 'phase 2, PROFILE DOWNLOAD required' };

// ---- the registry ----

const R51 = '3GPP TS 51.011';
const R31 = '3GPP TS 31.102';
const all = [
  iccid, dir, arrCodec, umpc, languages('EF_PL', 'ETSI TS 102.221 §13.3'),
  imsi, ad, spn, acc, loci, puct, lp, ecc, smsp, pbr, ehplmnpi, epsLoci,
  serviceTable(SST), serviceTable(UST), serviceTable(EST),
  dialling('EF_ADN', `${R51} §10.5.1; ${R31} §4.4.2.3`, 'ext1RecordId'),
  dialling('EF_MSISDN', `${R51} §10.5.5; ${R31} §4.2.26`, 'ext1RecordId'),
  languages('EF_LI', `${R31} §4.2.1`),
  plmnList('EF_PLMNsel', `${R51} §10.3.4`, 3),
  plmnList('EF_FPLMN', `${R31} §4.2.16; ${R51} §10.3.16`, 3),
  plmnList('EF_EHPLMN', `${R31} §4.2.84`, 3),
  plmnActList('EF_PLMNwAcT', `${R31} §4.2.5; ${R51} §10.3.35`),
  plmnActList('EF_OPLMNwAcT', `${R31} §4.2.53; ${R51} §10.3.36`),
  plmnActList('EF_HPLMNwAcT', `${R31} §4.2.54; ${R51} §10.3.37`),
  psLoci('EF_PSLOCI', `${R31} §4.2.23`),
  psLoci('EF_LOCIGPRS', `${R51} §10.3.33`),
  kc('EF_Kc', `${R51} §10.3.3; ${R31} §4.4.3.1`),
  kc('EF_KcGPRS', `${R51} §10.3.32; ${R31} §4.4.3.2`),
  keys('EF_Keys', `${R31} §4.2.3`),
  keys('EF_KeysPS', `${R31} §4.2.4`),
  unsigned('EF_HPPLMN', `${R31} §4.2.6; ${R51} §10.3.5`, 'searchPeriod', 1, false, (n) => (n ? `search every ${n} × 6 min` : 'no search')),
  unsigned('EF_ACMmax', `${R31} §4.2.7; ${R51} §10.3.6`, 'acmMax', 3, false, (n) => (n ? `ACM max ${n} units` : 'no ACM limit')),
  unsigned('EF_ACM', `${R31} §4.2.9; ${R51} §10.3.8`, 'acm', 3, true, (n) => `ACM ${n} units`),
  unsigned('EF_THRESHOLD', `${R31} §4.2.52`, 'maxStart', 3, false, (n) => `max START ${n}`),
  codec('EF_START-HFN', {
    ref: `${R31} §4.2.51`, min: 6, max: 6,
    decode: (b) => ({ startCs: u(b, 0, 3), startPs: u(b, 3, 3) }),
    encode: (v) => [...be(int(obj(v, 'value')['startCs'], 'startCs', 0, 0xffffff), 3), ...be(int(obj(v, 'value')['startPs'], 'startPs', 0, 0xffffff), 3)],
    describe: (v) => `START_CS ${v.startCs}, START_PS ${v.startPs}`,
  }),
  codec('EF_Phase', {
    ref: `${R51} §10.3.19`, min: 1, max: 1,
    decode: (b) => ({ phase: b[0]! }),
    encode: (v) => [int(obj(v, 'value')['phase'], 'phase', 0, 255)],
    describe: (v) => PHASE[v.phase] ?? `phase code ${hx(v.phase)}`,
  }),
  opaque('EF_GID1', `${R31} §4.2.10; ${R51} §10.3.9`, 'groupIdentifier', 1),
  opaque('EF_GID2', `${R31} §4.2.11; ${R51} §10.3.10`, 'groupIdentifier', 1),
  opaque('EF_BCCH', `${R51} §10.3.14 (BCCH allocation list, TS 44.018 §10.5.2.22)`, 'bcchInformation', 16, 16),
];

/** The name of an EF codec: what an EF declaration's `codec` may name (EfDecl.codec, types.ts). */
export type EfCodecName = (typeof all)[number]['name'];

/** Every EF codec, by its name (the name of the EF whose coding it is). Look a file's codec up with codecOf(decl). */
export const EF_CODECS: { readonly [efName: string]: EfCodec } = Object.freeze(Object.fromEntries(all.map((c): [string, EfCodec] => [c.name, c])));

/**
 * The content coding of a declared EF, its one lookup: the codec the declaration names
 * (`codec: 'EF_…'`), else the codec of the EF's own name; none when the declaration says why it
 * has none (`codec: { none: reason }`) or no codec of that name exists.
 */
export function codecOf(decl: EfDecl): EfCodec | undefined {
  if (typeof decl.codec === 'object') return undefined;
  return EF_CODECS[decl.codec ?? decl.name];
}
