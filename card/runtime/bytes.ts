/**
 * Byte helpers for everything inside card/: strict hex, concatenation, constant-time comparison
 * and big-endian integer access. Inside the card, bytes are always Uint8Array (never Buffer).
 */

const HEX = '0123456789abcdef';
const HEX_PAIRS: string[] = Array.from({ length: 256 }, (_, i) => HEX[i >> 4]! + HEX[i & 15]!);

/** Value of one hex digit (char code), or -1. */
function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  if (c >= 97 && c <= 102) return c - 87; // a-f
  if (c >= 65 && c <= 70) return c - 55; // A-F
  return -1;
}

/**
 * Strict hex decoding. Whitespace between bytes is allowed (APDUs are often written "00 A4 04 00");
 * anything else that is not a hex digit, or an odd number of digits, is a RangeError naming the
 * offset in the input string.
 */
export function hexToBytes(hex: string): Uint8Array {
  if (typeof hex !== 'string') throw new TypeError(`hexToBytes: "hex" expected string, got ${typeof hex}`);
  const out = new Uint8Array(hex.length >> 1);
  let n = 0;
  let hi = -1;
  let hiAt = 0;
  for (let i = 0; i < hex.length; i++) {
    const c = hex.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 58 /* : */) {
      if (hi >= 0) throw new RangeError(`hexToBytes: lone hex digit at offset ${hiAt}`);
      continue;
    }
    const v = nibble(c);
    if (v < 0) throw new RangeError(`hexToBytes: invalid hex character ${JSON.stringify(hex[i])} at offset ${i}`);
    if (hi < 0) {
      hi = v;
      hiAt = i;
    } else {
      out[n++] = (hi << 4) | v;
      hi = -1;
    }
  }
  if (hi >= 0) throw new RangeError(`hexToBytes: odd number of hex digits (lone digit at offset ${hiAt})`);
  return n === out.length ? out : out.slice(0, n);
}

/** Lower-case hex, no separators. */
export function bytesToHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX_PAIRS[bytes[i]!];
  return s;
}

/** Concatenate byte arrays into a new one. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/**
 * Constant-time equality: the time depends only on the lengths, never on where the arrays differ.
 * Used for every comparison of secrets (PINs, MACs, RES).
 */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** XOR of two equal-length arrays into a new one. */
export function xorBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length !== b.length) throw new RangeError(`xorBytes: lengths differ (${a.length} vs ${b.length})`);
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

function checkOffset(fn: string, buf: Uint8Array, off: number, size: number): void {
  if (!Number.isInteger(off) || off < 0 || off + size > buf.length) {
    throw new RangeError(`${fn}: "offset" expected 0..${buf.length - size}, got ${off}`);
  }
}

function checkValue(fn: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${fn}: "value" expected 0..${max}, got ${value}`);
  }
  return value;
}

export function readU16(buf: Uint8Array, off = 0): number {
  checkOffset('readU16', buf, off, 2);
  return (buf[off]! << 8) | buf[off + 1]!;
}
export function readU24(buf: Uint8Array, off = 0): number {
  checkOffset('readU24', buf, off, 3);
  return (buf[off]! << 16) | (buf[off + 1]! << 8) | buf[off + 2]!;
}
export function readU32(buf: Uint8Array, off = 0): number {
  checkOffset('readU32', buf, off, 4);
  return ((buf[off]! << 24) >>> 0) + ((buf[off + 1]! << 16) | (buf[off + 2]! << 8) | buf[off + 3]!);
}
/** 48-bit unsigned (e.g. an AKA SQN, TS 33.102 §6.3.2): safe in a JS number. */
export function readU48(buf: Uint8Array, off = 0): number {
  checkOffset('readU48', buf, off, 6);
  return readU16(buf, off) * 2 ** 32 + readU32(buf, off + 2);
}
export function writeU16(buf: Uint8Array, off: number, value: number): void {
  checkOffset('writeU16', buf, off, 2);
  checkValue('writeU16', value, 0xffff);
  buf[off] = value >>> 8;
  buf[off + 1] = value & 0xff;
}
export function writeU24(buf: Uint8Array, off: number, value: number): void {
  checkOffset('writeU24', buf, off, 3);
  checkValue('writeU24', value, 0xffffff);
  buf[off] = value >>> 16;
  buf[off + 1] = (value >>> 8) & 0xff;
  buf[off + 2] = value & 0xff;
}
export function writeU32(buf: Uint8Array, off: number, value: number): void {
  checkOffset('writeU32', buf, off, 4);
  checkValue('writeU32', value, 0xffffffff);
  buf[off] = value >>> 24;
  buf[off + 1] = (value >>> 16) & 0xff;
  buf[off + 2] = (value >>> 8) & 0xff;
  buf[off + 3] = value & 0xff;
}
/** Big-endian encodings of a value (RangeError outside the width): u16(0x1234) = 12 34. */
export function u16(value: number): Uint8Array {
  const b = new Uint8Array(2);
  writeU16(b, 0, value);
  return b;
}
export function u32(value: number): Uint8Array {
  const b = new Uint8Array(4);
  writeU32(b, 0, value);
  return b;
}
export function writeU48(buf: Uint8Array, off: number, value: number): void {
  checkOffset('writeU48', buf, off, 6);
  checkValue('writeU48', value, 0xffffffffffff);
  writeU16(buf, off, Math.floor(value / 2 ** 32));
  writeU32(buf, off + 2, value % 2 ** 32);
}
export function u24(value: number): Uint8Array {
  const b = new Uint8Array(3);
  writeU24(b, 0, value);
  return b;
}
export function u48(value: number): Uint8Array {
  const b = new Uint8Array(6);
  writeU48(b, 0, value);
  return b;
}
