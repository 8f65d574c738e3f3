/**
 * DES (FIPS 46-3) and TDEA (NIST SP 800-67): the block ciphers of GlobalPlatform SCP02 (GP Card
 * Specification 2.3.1 Appendix E / B.1) and its MACs. Pure TypeScript, so card/ stays portable;
 * the host checks it with node:crypto (des-ede3) in the tests.
 *
 * Form: the 32-bit-halves DES of the standard. The S-boxes and the P permutation are folded into
 * eight 64-entry "SP" tables at load time (from the FIPS 46-3 tables below, not typed in), the
 * E expansion is a rotation plus shifts, IP/FP/PC-1/PC-2 are generic table permutations.
 *
 * Hazard: table look-ups indexed by secret bytes are not constant-time; acceptable for an emulator.
 * The parity bits of a DES key (bit 8 of each byte) are ignored, as FIPS 46-3 says.
 */
import { bytesOf, intBetween } from './check.js';

// FIPS 46-3: initial permutation IP (1-based bit numbers, bit 1 = MSB of byte 0).
const IP = [
  58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4, 62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24, 16, 8,
  57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3, 61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7,
] as const;

// FIPS 46-3: inverse initial permutation IP^-1.
const FP = [
  40, 8, 48, 16, 56, 24, 64, 32, 39, 7, 47, 15, 55, 23, 63, 31, 38, 6, 46, 14, 54, 22, 62, 30, 37, 5, 45, 13, 53, 21, 61, 29,
  36, 4, 44, 12, 52, 20, 60, 28, 35, 3, 43, 11, 51, 19, 59, 27, 34, 2, 42, 10, 50, 18, 58, 26, 33, 1, 41, 9, 49, 17, 57, 25,
] as const;

// FIPS 46-3: primitive function P.
const P = [
  16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10, 2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25,
] as const;

// FIPS 46-3: permuted choice 1 (C0 = first 28, D0 = last 28) and permuted choice 2.
const PC1 = [
  57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18, 10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36, 63, 55, 47, 39,
  31, 23, 15, 7, 62, 54, 46, 38, 30, 22, 14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4,
] as const;
const PC2 = [
  14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2, 41, 52, 31, 37, 47, 55, 30, 40,
  51, 45, 33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32,
] as const;

// FIPS 46-3: left shifts of the key schedule, iterations 1..16.
const SHIFTS = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1] as const;

// FIPS 46-3: selection functions S1..S8, each 4 rows of 16.
const S = [
  [14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7, 0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8,
   4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0, 15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13],
  [15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10, 3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5,
   0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15, 13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9],
  [10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8, 13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1,
   13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7, 1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12],
  [7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15, 13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9,
   10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4, 3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14],
  [2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9, 14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6,
   4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14, 11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3],
  [12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11, 10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8,
   9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6, 4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13],
  [4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1, 13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6,
   1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2, 6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12],
  [13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7, 1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2,
   7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8, 2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11],
] as const;

/** SP[i][b]: P applied to the 4-bit output of S(i+1) on the 6-bit input b, placed at bits 4i+1..4i+4. */
const SP: Uint32Array[] = S.map((box, i) => {
  const table = new Uint32Array(64);
  for (let b = 0; b < 64; b++) {
    const row = ((b >> 4) & 2) | (b & 1);
    const col = (b >> 1) & 15;
    const sOut = (box[row * 16 + col]! << (28 - 4 * i)) >>> 0;
    let out = 0;
    for (let j = 0; j < 32; j++) if ((sOut >>> (32 - P[j]!)) & 1) out |= 1 << (31 - j);
    table[b] = out >>> 0;
  }
  return table;
});

/** Bit `k` (1-based, bit 1 = MSB of hi) of the 64-bit value hi‖lo. */
function bit64(hi: number, lo: number, k: number): number {
  return k <= 32 ? (hi >>> (32 - k)) & 1 : (lo >>> (64 - k)) & 1;
}

/** Apply a 64-output-bit permutation table to hi‖lo. */
function permute64(hi: number, lo: number, table: readonly number[]): [number, number] {
  let oh = 0;
  let ol = 0;
  for (let j = 0; j < 32; j++) oh = (oh << 1) | bit64(hi, lo, table[j]!);
  for (let j = 32; j < 64; j++) ol = (ol << 1) | bit64(hi, lo, table[j]!);
  return [oh >>> 0, ol >>> 0];
}

/** The key schedule: 16 subkeys of eight 6-bit groups each (FIPS 46-3 "Key schedule calculation"). */
export interface DesKey {
  readonly subkeys: Uint8Array; // 16 × 8 six-bit values
}

export function desExpandKey(key8: Uint8Array): DesKey {
  bytesOf('key', key8, 8);
  const hi = ((key8[0]! << 24) | (key8[1]! << 16) | (key8[2]! << 8) | key8[3]!) >>> 0;
  const lo = ((key8[4]! << 24) | (key8[5]! << 16) | (key8[6]! << 8) | key8[7]!) >>> 0;
  let c = 0;
  let d = 0;
  for (let j = 0; j < 28; j++) c = (c << 1) | bit64(hi, lo, PC1[j]!);
  for (let j = 28; j < 56; j++) d = (d << 1) | bit64(hi, lo, PC1[j]!);
  const subkeys = new Uint8Array(128);
  for (let round = 0; round < 16; round++) {
    const s = SHIFTS[round]!;
    c = ((c << s) | (c >>> (28 - s))) & 0x0fffffff;
    d = ((d << s) | (d >>> (28 - s))) & 0x0fffffff;
    // PC-2 over C‖D (56 bits, bit 1 = MSB of C).
    for (let g = 0; g < 8; g++) {
      let v = 0;
      for (let j = 0; j < 6; j++) {
        const k = PC2[g * 6 + j]!;
        const b = k <= 28 ? (c >>> (28 - k)) & 1 : (d >>> (56 - k)) & 1;
        v = (v << 1) | b;
      }
      subkeys[round * 8 + g] = v;
    }
  }
  return { subkeys };
}

/** The cipher function f(R, K) of FIPS 46-3: E expansion, XOR with the subkey, S-boxes, P. */
function feistel(r: number, subkeys: Uint8Array, round: number): number {
  // E: group g takes bits 4g..4g+5 of R (1-based, bit 0 = bit 32): rotate right by one, then
  // group g is the top six bits of that rotated left by 4g.
  const rr = ((r >>> 1) | (r << 31)) >>> 0;
  let out = 0;
  const base = round * 8;
  for (let g = 0; g < 8; g++) {
    const rot = g === 0 ? rr : ((rr << (4 * g)) | (rr >>> (32 - 4 * g))) >>> 0;
    out |= SP[g]![((rot >>> 26) & 0x3f) ^ subkeys[base + g]!]!;
  }
  return out >>> 0;
}

/** One DES block of `input[inOff..+8]` into `out[outOff..+8]` (in place allowed). No checks. */
export function desCryptInto(key: DesKey, decrypt: boolean, input: Uint8Array, inOff: number, out: Uint8Array, outOff: number): void {
  const hi = ((input[inOff]! << 24) | (input[inOff + 1]! << 16) | (input[inOff + 2]! << 8) | input[inOff + 3]!) >>> 0;
  const lo = ((input[inOff + 4]! << 24) | (input[inOff + 5]! << 16) | (input[inOff + 6]! << 8) | input[inOff + 7]!) >>> 0;
  let [l, r] = permute64(hi, lo, IP);
  for (let i = 0; i < 16; i++) {
    const t = (l ^ feistel(r, key.subkeys, decrypt ? 15 - i : i)) >>> 0;
    l = r;
    r = t;
  }
  // The pre-output block is R16‖L16.
  const [oh, ol] = permute64(r, l, FP);
  out[outOff] = oh >>> 24;
  out[outOff + 1] = oh >>> 16;
  out[outOff + 2] = oh >>> 8;
  out[outOff + 3] = oh;
  out[outOff + 4] = ol >>> 24;
  out[outOff + 5] = ol >>> 16;
  out[outOff + 6] = ol >>> 8;
  out[outOff + 7] = ol;
}

/** Small most-recently-used cache of key schedules by content (SCP02 reuses its session keys). */
const CACHE_SIZE = 8;
const cacheKeys: Uint8Array[] = [];
const cacheValues: DesKey[] = [];

function desKeyCached(key8: Uint8Array): DesKey {
  for (let i = 0; i < cacheKeys.length; i++) {
    const k = cacheKeys[i]!;
    let same = true;
    for (let j = 0; j < 8; j++) if (k[j] !== key8[j]) same = false;
    if (same) return cacheValues[i]!;
  }
  const fresh = desExpandKey(key8);
  cacheKeys.unshift(key8.slice());
  cacheValues.unshift(fresh);
  if (cacheKeys.length > CACHE_SIZE) {
    cacheKeys.pop();
    cacheValues.pop();
  }
  return fresh;
}

/** FIPS 46-3 DES encryption of one 8-byte block. */
export function desEncryptBlock(key8: Uint8Array, block8: Uint8Array): Uint8Array {
  const k = desKeyCached(bytesOf('key', key8, 8));
  bytesOf('block', block8, 8);
  const out = new Uint8Array(8);
  desCryptInto(k, false, block8, 0, out, 0);
  return out;
}

/** FIPS 46-3 DES decryption of one 8-byte block. */
export function desDecryptBlock(key8: Uint8Array, block8: Uint8Array): Uint8Array {
  const k = desKeyCached(bytesOf('key', key8, 8));
  bytesOf('block', block8, 8);
  const out = new Uint8Array(8);
  desCryptInto(k, true, block8, 0, out, 0);
  return out;
}

/** The three DES key schedules of a TDEA key: 16 bytes = keying option 2 (K3 = K1), 24 = option 1. */
interface TdesKey {
  readonly k1: DesKey;
  readonly k2: DesKey;
  readonly k3: DesKey;
}

function tdesKey(key: Uint8Array): TdesKey {
  if (!(key instanceof Uint8Array)) bytesOf('key', key, 16); // throws the house TypeError
  if (key.length !== 16 && key.length !== 24) {
    throw new RangeError(`"key" expected 16 or 24 bytes (TDEA keying option 2 or 1), got ${key.length}`);
  }
  const k1 = desKeyCached(key.subarray(0, 8));
  const k2 = desKeyCached(key.subarray(8, 16));
  const k3 = key.length === 24 ? desKeyCached(key.subarray(16, 24)) : k1;
  return { k1, k2, k3 };
}

function blocksOf(name: string, data: Uint8Array): Uint8Array {
  if (!(data instanceof Uint8Array)) bytesOf(name, data, 8);
  if (data.length % 8 !== 0) throw new RangeError(`"${name}" expected a multiple of 8 bytes, got ${data.length}`);
  return data;
}

/** SP 800-67 §3.1 TDEA encryption E_K3(D_K2(E_K1(x))) of the block at buf[off..+8], in place. */
function tdesEncryptInPlace(k: TdesKey, buf: Uint8Array, off: number): void {
  desCryptInto(k.k1, false, buf, off, buf, off);
  desCryptInto(k.k2, true, buf, off, buf, off);
  desCryptInto(k.k3, false, buf, off, buf, off);
}

/** SP 800-67 §3.2 TDEA decryption D_K1(E_K2(D_K3(y))), in place. */
function tdesDecryptInPlace(k: TdesKey, buf: Uint8Array, off: number): void {
  desCryptInto(k.k3, true, buf, off, buf, off);
  desCryptInto(k.k2, false, buf, off, buf, off);
  desCryptInto(k.k1, true, buf, off, buf, off);
}

/** TDEA in ECB mode over whole 8-byte blocks (no padding). */
export function tdesEncryptEcb(key: Uint8Array, data: Uint8Array): Uint8Array {
  const k = tdesKey(key);
  const out = blocksOf('data', data).slice();
  for (let off = 0; off < out.length; off += 8) tdesEncryptInPlace(k, out, off);
  return out;
}

export function tdesDecryptEcb(key: Uint8Array, data: Uint8Array): Uint8Array {
  const k = tdesKey(key);
  const out = blocksOf('data', data).slice();
  for (let off = 0; off < out.length; off += 8) tdesDecryptInPlace(k, out, off);
  return out;
}

/** TDEA in CBC mode (SP 800-38A §6.2) over whole 8-byte blocks (no padding). */
export function tdesEncryptCbc(key: Uint8Array, iv8: Uint8Array, data: Uint8Array): Uint8Array {
  const k = tdesKey(key);
  bytesOf('iv', iv8, 8);
  const out = blocksOf('data', data).slice();
  for (let off = 0; off < out.length; off += 8) {
    for (let i = 0; i < 8; i++) out[off + i] = out[off + i]! ^ (off === 0 ? iv8[i]! : out[off - 8 + i]!);
    tdesEncryptInPlace(k, out, off);
  }
  return out;
}

export function tdesDecryptCbc(key: Uint8Array, iv8: Uint8Array, data: Uint8Array): Uint8Array {
  const k = tdesKey(key);
  bytesOf('iv', iv8, 8);
  const input = blocksOf('data', data);
  const out = input.slice();
  for (let off = 0; off < out.length; off += 8) {
    tdesDecryptInPlace(k, out, off);
    for (let i = 0; i < 8; i++) out[off + i] = out[off + i]! ^ (off === 0 ? iv8[i]! : input[off - 8 + i]!);
  }
  return out;
}

/**
 * ISO/IEC 9797-1 MAC algorithm 1 with TDEA as the block cipher (a CBC-MAC; the "full triple DES"
 * MAC of GP Card Spec B.1.2.1, used for the SCP02 card and host cryptograms). The caller pads
 * (`pad80`). `icv8` defaults to zeros. Returns the last 8-byte block.
 */
export function fullTdesMac(key16: Uint8Array, data: Uint8Array, icv8?: Uint8Array): Uint8Array {
  const k = tdesKey(key16);
  blocksOf('data', data);
  const h = icv8 === undefined ? new Uint8Array(8) : bytesOf('icv', icv8, 8).slice();
  for (let off = 0; off < data.length; off += 8) {
    for (let i = 0; i < 8; i++) h[i] = h[i]! ^ data[off + i]!;
    tdesEncryptInPlace(k, h, 0);
  }
  return h;
}

/**
 * ISO/IEC 9797-1 MAC algorithm 3 ("retail MAC", GP Card Spec B.1.2.2: single DES plus final triple
 * DES): a single-DES CBC chain under K1, then the last output is decrypted with K2 and encrypted
 * with K1. The SCP02 C-MAC and R-MAC. The caller pads (`pad80`); `icv8` defaults to zeros.
 */
export function retailMac(key16: Uint8Array, data: Uint8Array, icv8?: Uint8Array): Uint8Array {
  bytesOf('key', key16, 16);
  const k1 = desKeyCached(key16.subarray(0, 8));
  const k2 = desKeyCached(key16.subarray(8, 16));
  blocksOf('data', data);
  if (data.length === 0) throw new RangeError('"data" expected at least one 8-byte block, got 0 bytes');
  const h = icv8 === undefined ? new Uint8Array(8) : bytesOf('icv', icv8, 8).slice();
  for (let off = 0; off < data.length; off += 8) {
    for (let i = 0; i < 8; i++) h[i] = h[i]! ^ data[off + i]!;
    desCryptInto(k1, false, h, 0, h, 0);
  }
  desCryptInto(k2, true, h, 0, h, 0);
  desCryptInto(k1, false, h, 0, h, 0);
  return h;
}

/** ISO/IEC 9797-1 padding method 2: append 80, then 00 up to a multiple of `blockSize` (always pads). */
export function pad80(data: Uint8Array, blockSize: number): Uint8Array {
  if (!(data instanceof Uint8Array)) bytesOf('data', data, 0);
  intBetween('blockSize', blockSize, 1, 255);
  const out = new Uint8Array((Math.floor(data.length / blockSize) + 1) * blockSize);
  out.set(data);
  out[data.length] = 0x80;
  return out;
}

/**
 * The inverse of pad80: the data before the last 80 byte, or undefined when the input is not
 * a non-empty multiple of `blockSize` ending in 80 00…00 with fewer than `blockSize` zero bytes.
 */
export function unpad80(data: Uint8Array, blockSize: number): Uint8Array | undefined {
  if (!(data instanceof Uint8Array)) bytesOf('data', data, 0);
  intBetween('blockSize', blockSize, 1, 255);
  if (data.length === 0 || data.length % blockSize !== 0) return undefined;
  let i = data.length - 1;
  while (i >= 0 && data[i] === 0 && data.length - i <= blockSize) i--;
  if (i < 0 || data[i] !== 0x80 || data.length - i > blockSize) return undefined;
  return data.slice(0, i);
}
