/**
 * The one BER-TLV codec (ISO/IEC 7816-4 §5.2, ISO/IEC 8825-1 §8.1): tags of one byte or two
 * (first byte xF / 1F), lengths 00..7F, 81 xx, 82 xx xx.
 * - readTlvs / findTlv: lenient, one level deep — stops at the first object that does not fit; for
 *   reading answers (FCP templates, EF_DIR records, AUTHENTICATE results).
 * - readTlvsStrict: every object filling the data exactly, with offsets, a RangeError naming the
 *   field and the offset otherwise — for data that must be well formed (an imported FCP, a file's
 *   contents, a command). A malformed command must be refused, not read as far as possible.
 * - readTlvAt: one object read strictly at an offset under StrictTlvRules (DER's minimal lengths,
 *   cardforge's one-byte-tag short-length personalization records); its TlvSyntaxError carries
 *   the problem and its offsets, for callers that word their own errors (the payment records,
 *   PERSO_STORE_DATA).
 * - encodeTlv / encodeTemplate: minimal length form.
 */
import { concat } from './bytes.js';

export interface Tlv {
  readonly tag: number;
  readonly value: Uint8Array;
}

export function readTlvs(data: Uint8Array): Tlv[] {
  const out: Tlv[] = [];
  let i = 0;
  while (i < data.length) {
    let tag = data[i++]!;
    if ((tag & 0x1f) === 0x1f) {
      if (i >= data.length) break;
      tag = (tag << 8) | data[i++]!;
    }
    if (i >= data.length) break;
    let len = data[i++]!;
    if (len === 0x81 || len === 0x82) {
      const n = len - 0x80;
      if (i + n > data.length) break;
      len = n === 1 ? data[i]! : (data[i]! << 8) | data[i + 1]!;
      i += n;
    } else if (len > 0x7f) break;
    if (i + len > data.length) break;
    out.push({ tag, value: data.subarray(i, i + len) });
    i += len;
  }
  return out;
}

/** The value of the first data object with this tag, if any. */
export function findTlv(data: Uint8Array, tag: number): Uint8Array | undefined {
  return readTlvs(data).find((t) => t.tag === tag)?.value;
}

/** A data object read strictly, with the offset of its tag (for errors that point at the byte). */
export interface TlvItem extends Tlv {
  /** Offset of the tag, counted from `base`. */
  readonly at: number;
}

/** Which encodings readTlvAt accepts beyond "fits the data". */
export interface StrictTlvRules {
  /** Every tag is one byte (an xF / 1F byte is a whole tag): cardforge's PERSO_STORE_DATA records. */
  readonly oneByteTags?: boolean;
  /** Lengths 00..7F only. */
  readonly shortLengths?: boolean;
  /** DER (ISO/IEC 8825-1 §10.1): lengths in the minimal form; a two-byte tag's second byte below 80. */
  readonly der?: boolean;
}

/**
 * What is wrong with a data object, with offsets into the data read: `start` the object's first
 * byte; `at` the byte the problem shows at (see each kind).
 */
export type TlvProblem =
  /** The tag's second byte is missing; `at` = where it should be. */
  | { readonly kind: 'tag-cut'; readonly start: number; readonly at: number }
  /** DER: a tag of more than two bytes. */
  | { readonly kind: 'long-tag'; readonly start: number }
  /** The data ends after the tag; `at` = where the length should be. */
  | { readonly kind: 'no-length'; readonly start: number; readonly at: number; readonly tag: number }
  /** An 81 / 82 length cut short; `at` = the byte after 81 / 82. */
  | { readonly kind: 'length-cut'; readonly start: number; readonly at: number }
  /** A length byte not allowed (80, 83.., or any long form under shortLengths); `at` = that byte. */
  | { readonly kind: 'length-byte'; readonly start: number; readonly at: number; readonly byte: number }
  /** DER: a long form for a length the shorter form holds; `at` = the 81 / 82 byte. */
  | { readonly kind: 'non-minimal'; readonly start: number; readonly at: number }
  /** The value runs past the end; `at` = the last length byte. */
  | { readonly kind: 'past-end'; readonly start: number; readonly at: number; readonly tag: number; readonly length: number; readonly left: number };

export class TlvSyntaxError extends RangeError {
  constructor(readonly problem: TlvProblem) {
    super(`malformed BER-TLV (${problem.kind}) at offset ${problem.start}`);
    this.name = 'TlvSyntaxError';
  }
}

function tlvFail(p: TlvProblem): never {
  throw new TlvSyntaxError(p);
}

/** One data object at `start` (start < data.length): the item and the offset after it; TlvSyntaxError otherwise. */
export function readTlvAt(data: Uint8Array, start: number, rules: StrictTlvRules = {}): { readonly item: TlvItem; readonly next: number } {
  let i = start;
  let tag = data[i++]!;
  if (!rules.oneByteTags && (tag & 0x1f) === 0x1f) {
    if (i >= data.length) tlvFail({ kind: 'tag-cut', start, at: i });
    const b = data[i++]!;
    if (rules.der && (b & 0x80) !== 0) tlvFail({ kind: 'long-tag', start });
    tag = (tag << 8) | b;
  }
  if (i >= data.length) tlvFail({ kind: 'no-length', start, at: i, tag });
  let len = data[i++]!;
  if (!rules.shortLengths && (len === 0x81 || len === 0x82)) {
    const n = len - 0x80;
    const lengthByte = i - 1;
    if (i + n > data.length) tlvFail({ kind: 'length-cut', start, at: i });
    len = n === 1 ? data[i]! : (data[i]! << 8) | data[i + 1]!;
    i += n;
    if (rules.der && len < (n === 1 ? 0x80 : 0x100)) tlvFail({ kind: 'non-minimal', start, at: lengthByte });
  } else if (len > 0x7f) tlvFail({ kind: 'length-byte', start, at: i - 1, byte: len });
  if (i + len > data.length) tlvFail({ kind: 'past-end', start, at: i - 1, tag, length: len, left: data.length - i });
  return { item: { tag, value: data.subarray(i, i + len), at: start }, next: i + len };
}

/**
 * Every BER-TLV data object filling `b` exactly — strict, for data that must be well formed (an
 * imported FCP, a file's contents, a command): a tag byte 00/FF, a cut tag or length, an 83+
 * length form or a length running past the end is a RangeError naming `field` and the offset
 * (`base` + position). `padded`: an FF where a tag would start ends the list, and every byte from
 * there must be FF (records padded to their length).
 */
export function readTlvsStrict(b: Uint8Array, field: string, base = 0, padded = false): TlvItem[] {
  const fail = (at: number, problem: string): never => {
    throw new RangeError(`"${field}" at offset ${at}: ${problem}`);
  };
  const out: TlvItem[] = [];
  let i = 0;
  while (i < b.length) {
    if (b[i] === 0xff && padded) {
      for (let j = i; j < b.length; j++) if (b[j] !== 0xff) fail(base + j, `expected FF padding, got ${hx(b[j]!)}`);
      break;
    }
    if (b[i] === 0x00 || b[i] === 0xff) fail(base + i, `${hx(b[i]!)} is not a tag`);
    let r: { item: TlvItem; next: number };
    try {
      r = readTlvAt(b, i);
    } catch (e) {
      if (!(e instanceof TlvSyntaxError)) throw e;
      const p = e.problem;
      const tagName = (t: number): string => t.toString(16).toUpperCase();
      switch (p.kind) {
        case 'tag-cut':
          return fail(base + p.at, 'tag cut short');
        case 'no-length':
          return fail(base + p.at, `tag ${tagName(p.tag)} without a length`);
        case 'length-cut':
          return fail(base + p.at, 'length cut short');
        case 'length-byte':
          return fail(base + p.at, `length byte ${hx(p.byte)} is not allowed`);
        case 'past-end':
          return fail(base + p.at, `tag ${tagName(p.tag)} length ${p.length} runs past the end (${p.left} bytes left)`);
        default:
          throw e;
      }
    }
    out.push({ ...r.item, at: base + r.item.at });
    i = r.next;
  }
  return out;
}

function hx(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}

/** One BER-TLV data object: a 1- or 2-byte tag, the minimal length form (00..7F, 81 xx, 82 xx xx). */
export function encodeTlv(tag: number, value: Uint8Array | readonly number[]): Uint8Array {
  const n = value.length;
  if (n > 0xffff) throw new RangeError(`encodeTlv: value of tag ${tag.toString(16)} expected 0..65535 bytes, got ${n}`);
  const out = new Uint8Array((tag > 0xff ? 2 : 1) + (n < 0x80 ? 1 : n <= 0xff ? 2 : 3) + n);
  let o = 0;
  if (tag > 0xff) out[o++] = tag >> 8;
  out[o++] = tag & 0xff;
  if (n >= 0x80) {
    if (n <= 0xff) out[o++] = 0x81;
    else {
      out[o++] = 0x82;
      out[o++] = n >> 8;
    }
  }
  out[o++] = n & 0xff;
  out.set(value, o);
  return out;
}

/** A constructed data object: the children's encodings concatenated under `tag`. */
export function encodeTemplate(tag: number, ...children: Uint8Array[]): Uint8Array {
  return encodeTlv(tag, concat(...children));
}
