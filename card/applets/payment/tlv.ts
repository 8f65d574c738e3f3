/**
 * Canonical BER-TLV for the payment records (ISO/IEC 8825-1 §8.1: one- or two-byte tags, definite
 * lengths in the minimal form: 00..7F, 81 xx, 82 xx xx). The parser is strict: it accepts only the
 * expected tags in the expected order, each exactly once, minimal lengths, nothing left over, and
 * says where it failed. Shared by the card and the host so both speak the same encoding.
 */
import { concat } from '../../runtime/bytes.js';

export class TlvError extends Error {
  readonly code = 'TLV_MALFORMED';
  constructor(message: string) {
    super(message);
    this.name = 'TlvError';
  }
}

export function tagBytes(tag: number): Uint8Array {
  return tag > 0xff ? Uint8Array.of(tag >> 8, tag & 0xff) : Uint8Array.of(tag);
}

export function lengthBytes(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  if (n <= 0xff) return Uint8Array.of(0x81, n);
  if (n <= 0xffff) return Uint8Array.of(0x82, n >> 8, n & 0xff);
  throw new RangeError(`"length" expected 0..65535, got ${n}`);
}

/** Encode one TLV. */
export function tlv(tag: number, value: Uint8Array): Uint8Array {
  const t = tagBytes(tag);
  const l = lengthBytes(value.length);
  const out = new Uint8Array(t.length + l.length + value.length);
  out.set(t);
  out.set(l, t.length);
  out.set(value, t.length + l.length);
  return out;
}

/** Concatenate TLVs under a constructed template tag. */
export function template(tag: number, ...children: Uint8Array[]): Uint8Array {
  return tlv(tag, concat(...children));
}

export interface TlvField {
  readonly tag: number;
  /** Exact length, or [min, max]. */
  readonly length: number | readonly [number, number];
}

/**
 * Parse `data` as exactly the listed TLVs in order; returns the values (views into `data`).
 * Throws TlvError naming the tag and offset of the first deviation.
 */
export function parseFields(data: Uint8Array, fields: readonly TlvField[], where: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  let off = 0;
  for (const f of fields) {
    const [tag, value, next] = readTlv(data, off, where);
    if (tag !== f.tag) throw new TlvError(`${where}: expected tag ${f.tag.toString(16)} at offset ${off}, got ${tag.toString(16)}`);
    const [min, max] = typeof f.length === 'number' ? [f.length, f.length] : f.length;
    if (value.length < min || value.length > max) throw new TlvError(`${where}: tag ${tag.toString(16)} at offset ${off} expected ${min}..${max} bytes, got ${value.length}`);
    out.push(value);
    off = next;
  }
  if (off !== data.length) throw new TlvError(`${where}: ${data.length - off} unexpected bytes at offset ${off}`);
  return out;
}

/** Read one TLV at `off`: [tag, value view, offset after it]. Minimal lengths only. */
export function readTlv(data: Uint8Array, off: number, where: string): [number, Uint8Array, number] {
  if (off >= data.length) throw new TlvError(`${where}: missing tag at offset ${off}`);
  let tag = data[off]!;
  let p = off + 1;
  if ((tag & 0x1f) === 0x1f) {
    if (p >= data.length) throw new TlvError(`${where}: truncated tag at offset ${off}`);
    const b = data[p++]!;
    if (b & 0x80) throw new TlvError(`${where}: tags longer than two bytes are not used (offset ${off})`);
    tag = (tag << 8) | b;
  }
  if (p >= data.length) throw new TlvError(`${where}: missing length at offset ${p}`);
  const first = data[p++]!;
  let len: number;
  if (first < 0x80) len = first;
  else if (first === 0x81) {
    if (p >= data.length) throw new TlvError(`${where}: truncated length at offset ${p}`);
    len = data[p++]!;
    if (len < 0x80) throw new TlvError(`${where}: non-minimal length at offset ${p - 2}`);
  } else if (first === 0x82) {
    if (p + 1 >= data.length) throw new TlvError(`${where}: truncated length at offset ${p}`);
    len = (data[p]! << 8) | data[p + 1]!;
    p += 2;
    if (len <= 0xff) throw new TlvError(`${where}: non-minimal length at offset ${p - 3}`);
  } else throw new TlvError(`${where}: unsupported length byte ${first.toString(16)} at offset ${p - 1}`);
  if (p + len > data.length) throw new TlvError(`${where}: value of tag ${tag.toString(16)} at offset ${off} runs past the end (${len} bytes, ${data.length - p} left)`);
  return [tag, data.subarray(p, p + len), p + len];
}
