/**
 * AES-128 block encryption (FIPS-197), encrypt direction only: the kernel of Milenage
 * (TS 35.206 §4.1 names Rijndael with a 128-bit key and block as E_K).
 *
 * Table-driven ("T-table") form of FIPS-197 §5.1: SubBytes, ShiftRows and MixColumns of one
 * round are four table look-ups per column. The S-box is computed at load time from its
 * definition (§5.1.1: multiplicative inverse in GF(2^8), then the affine map) instead of being
 * typed in, so there is no 256-entry literal to get wrong.
 *
 * Hazard: table look-ups indexed by secret bytes are not constant-time on CPUs with caches. That
 * is acceptable for an emulator (the card in the field is not this code); do not reuse this for
 * a service exposed to timing attacks.
 */

import { bytesOf } from './check.js';

/** FIPS-197 §4.2: the AES polynomial x^8 + x^4 + x^3 + x + 1. */
const AES_POLY = 0x11b;

/** FIPS-197 §5.1.1 S-box (computed below); shared with the key-size-generic cipher in aes.ts. */
export const SBOX = new Uint8Array(256);
const T0 = new Uint32Array(256);
const T1 = new Uint32Array(256);
const T2 = new Uint32Array(256);
const T3 = new Uint32Array(256);

export function xtime(b: number): number {
  return b & 0x80 ? (b << 1) ^ AES_POLY : b << 1;
}

(function buildTables(): void {
  // exp/log over the generator 3 give the multiplicative inverse (FIPS-197 §4.4).
  const exp = new Uint8Array(256);
  const log = new Uint8Array(256);
  for (let i = 0, x = 1; i < 255; i++) {
    exp[i] = x;
    log[x] = i;
    x ^= xtime(x); // x * 3
  }
  for (let a = 0; a < 256; a++) {
    const inv = a === 0 ? 0 : exp[(255 - log[a]!) % 255]!;
    // FIPS-197 §5.1.1 affine transformation, c = 0x63.
    let s = inv;
    for (let r = 1; r <= 4; r++) s ^= ((inv << r) | (inv >>> (8 - r))) & 0xff;
    s ^= 0x63;
    SBOX[a] = s;
    // Column of MixColumns (FIPS-197 §5.1.3) applied to (s, 0, 0, 0): 02·s, 01·s, 01·s, 03·s.
    const s2 = xtime(s) & 0xff;
    const t = ((s2 << 24) | (s << 16) | (s << 8) | (s2 ^ s)) >>> 0;
    T0[a] = t;
    T1[a] = ((t >>> 8) | (t << 24)) >>> 0;
    T2[a] = ((t >>> 16) | (t << 16)) >>> 0;
    T3[a] = ((t >>> 24) | (t << 8)) >>> 0;
  }
})();

/** FIPS-197 §5.2: round constants Rcon[i] = x^(i-1) in GF(2^8), in the word's high byte. */
const RCON = [0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x1b, 0x36] as const;

/** An expanded AES-128 key: 44 round-key words (FIPS-197 §5.2, Nr = 10). */
export interface Aes128Key {
  readonly roundKeys: Uint32Array;
}

function subWord(w: number): number {
  return (
    ((SBOX[w >>> 24]! << 24) | (SBOX[(w >>> 16) & 0xff]! << 16) | (SBOX[(w >>> 8) & 0xff]! << 8) | SBOX[w & 0xff]!) >>>
    0
  );
}

/** KeyExpansion (FIPS-197 §5.2) for a 16-byte key. */
export function aes128ExpandKey(key: Uint8Array): Aes128Key {
  bytesOf('key', key, 16);
  const w = new Uint32Array(44);
  for (let i = 0; i < 4; i++) {
    w[i] = ((key[4 * i]! << 24) | (key[4 * i + 1]! << 16) | (key[4 * i + 2]! << 8) | key[4 * i + 3]!) >>> 0;
  }
  for (let i = 4; i < 44; i++) {
    let t = w[i - 1]!;
    if ((i & 3) === 0) t = (subWord(((t << 8) | (t >>> 24)) >>> 0) ^ (RCON[(i >>> 2) - 1]! << 24)) >>> 0;
    w[i] = (w[i - 4]! ^ t) >>> 0;
  }
  return { roundKeys: w };
}

/**
 * Small most-recently-used cache of expanded keys, compared by content (a card or an AuC loop
 * uses the same K for every call). Entries are copies: a caller mutating its key array afterwards
 * cannot poison the cache. Hazard: expanded keys stay in memory for the life of the process.
 */
const CACHE_SIZE = 4;
const cacheKeys: Uint8Array[] = [];
const cacheValues: Aes128Key[] = [];

function sameKey(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** aes128ExpandKey through the cache. */
export function aes128KeyCached(key: Uint8Array): Aes128Key {
  bytesOf('key', key, 16);
  for (let i = 0; i < cacheKeys.length; i++) {
    if (sameKey(cacheKeys[i]!, key)) {
      const hit = cacheValues[i]!;
      if (i !== 0) {
        cacheKeys.splice(i, 1);
        cacheValues.splice(i, 1);
        cacheKeys.unshift(key.slice());
        cacheValues.unshift(hit);
      }
      return hit;
    }
  }
  const fresh = aes128ExpandKey(key);
  cacheKeys.unshift(key.slice());
  cacheValues.unshift(fresh);
  if (cacheKeys.length > CACHE_SIZE) {
    cacheKeys.pop();
    cacheValues.pop();
  }
  return fresh;
}

/**
 * Cipher (FIPS-197 §5.1) of the block given as four big-endian 32-bit words (s0 = bytes 0..3),
 * the result as four big-endian words into `out[at..at+3]` (as int32). The same rounds as
 * aes128EncryptInto without packing bytes into words and back: for callers that already work in
 * words (Milenage's XORs, issue 20). No checks: callers check their own inputs.
 */
export function aes128EncryptWords(key: Aes128Key, w0: number, w1: number, w2: number, w3: number, out: Int32Array, at: number): void {
  const rk = key.roundKeys;
  let s0 = w0 ^ rk[0]!;
  let s1 = w1 ^ rk[1]!;
  let s2 = w2 ^ rk[2]!;
  let s3 = w3 ^ rk[3]!;
  let k = 4;
  for (let round = 1; round < 10; round++) {
    const t0 = T0[s0 >>> 24]! ^ T1[(s1 >>> 16) & 0xff]! ^ T2[(s2 >>> 8) & 0xff]! ^ T3[s3 & 0xff]! ^ rk[k]!;
    const t1 = T0[s1 >>> 24]! ^ T1[(s2 >>> 16) & 0xff]! ^ T2[(s3 >>> 8) & 0xff]! ^ T3[s0 & 0xff]! ^ rk[k + 1]!;
    const t2 = T0[s2 >>> 24]! ^ T1[(s3 >>> 16) & 0xff]! ^ T2[(s0 >>> 8) & 0xff]! ^ T3[s1 & 0xff]! ^ rk[k + 2]!;
    const t3 = T0[s3 >>> 24]! ^ T1[(s0 >>> 16) & 0xff]! ^ T2[(s1 >>> 8) & 0xff]! ^ T3[s2 & 0xff]! ^ rk[k + 3]!;
    s0 = t0;
    s1 = t1;
    s2 = t2;
    s3 = t3;
    k += 4;
  }
  const S = SBOX;
  out[at] = ((S[s0 >>> 24]! << 24) | (S[(s1 >>> 16) & 0xff]! << 16) | (S[(s2 >>> 8) & 0xff]! << 8) | S[s3 & 0xff]!) ^ rk[40]!;
  out[at + 1] = ((S[s1 >>> 24]! << 24) | (S[(s2 >>> 16) & 0xff]! << 16) | (S[(s3 >>> 8) & 0xff]! << 8) | S[s0 & 0xff]!) ^ rk[41]!;
  out[at + 2] = ((S[s2 >>> 24]! << 24) | (S[(s3 >>> 16) & 0xff]! << 16) | (S[(s0 >>> 8) & 0xff]! << 8) | S[s1 & 0xff]!) ^ rk[42]!;
  out[at + 3] = ((S[s3 >>> 24]! << 24) | (S[(s0 >>> 16) & 0xff]! << 16) | (S[(s1 >>> 8) & 0xff]! << 8) | S[s2 & 0xff]!) ^ rk[43]!;
}

/**
 * Cipher (FIPS-197 §5.1) of one 16-byte block at `input[inOff..]` into `out[outOff..]`.
 * `out` may be `input` (same offsets): the whole block is read before anything is written.
 * No checks: this is the inner loop; callers check their own inputs.
 */
export function aes128EncryptInto(
  key: Aes128Key,
  input: Uint8Array,
  inOff: number,
  out: Uint8Array,
  outOff: number,
): void {
  const rk = key.roundKeys;
  let s0 = ((input[inOff]! << 24) | (input[inOff + 1]! << 16) | (input[inOff + 2]! << 8) | input[inOff + 3]!) ^ rk[0]!;
  let s1 = ((input[inOff + 4]! << 24) | (input[inOff + 5]! << 16) | (input[inOff + 6]! << 8) | input[inOff + 7]!) ^ rk[1]!;
  let s2 =
    ((input[inOff + 8]! << 24) | (input[inOff + 9]! << 16) | (input[inOff + 10]! << 8) | input[inOff + 11]!) ^ rk[2]!;
  let s3 =
    ((input[inOff + 12]! << 24) | (input[inOff + 13]! << 16) | (input[inOff + 14]! << 8) | input[inOff + 15]!) ^ rk[3]!;
  let k = 4;
  for (let round = 1; round < 10; round++) {
    const t0 = T0[s0 >>> 24]! ^ T1[(s1 >>> 16) & 0xff]! ^ T2[(s2 >>> 8) & 0xff]! ^ T3[s3 & 0xff]! ^ rk[k]!;
    const t1 = T0[s1 >>> 24]! ^ T1[(s2 >>> 16) & 0xff]! ^ T2[(s3 >>> 8) & 0xff]! ^ T3[s0 & 0xff]! ^ rk[k + 1]!;
    const t2 = T0[s2 >>> 24]! ^ T1[(s3 >>> 16) & 0xff]! ^ T2[(s0 >>> 8) & 0xff]! ^ T3[s1 & 0xff]! ^ rk[k + 2]!;
    const t3 = T0[s3 >>> 24]! ^ T1[(s0 >>> 16) & 0xff]! ^ T2[(s1 >>> 8) & 0xff]! ^ T3[s2 & 0xff]! ^ rk[k + 3]!;
    s0 = t0;
    s1 = t1;
    s2 = t2;
    s3 = t3;
    k += 4;
  }
  // Final round: SubBytes, ShiftRows, AddRoundKey (no MixColumns).
  const S = SBOX;
  const o0 = ((S[s0 >>> 24]! << 24) | (S[(s1 >>> 16) & 0xff]! << 16) | (S[(s2 >>> 8) & 0xff]! << 8) | S[s3 & 0xff]!) ^ rk[40]!;
  const o1 = ((S[s1 >>> 24]! << 24) | (S[(s2 >>> 16) & 0xff]! << 16) | (S[(s3 >>> 8) & 0xff]! << 8) | S[s0 & 0xff]!) ^ rk[41]!;
  const o2 = ((S[s2 >>> 24]! << 24) | (S[(s3 >>> 16) & 0xff]! << 16) | (S[(s0 >>> 8) & 0xff]! << 8) | S[s1 & 0xff]!) ^ rk[42]!;
  const o3 = ((S[s3 >>> 24]! << 24) | (S[(s0 >>> 16) & 0xff]! << 16) | (S[(s1 >>> 8) & 0xff]! << 8) | S[s2 & 0xff]!) ^ rk[43]!;
  out[outOff] = o0 >>> 24;
  out[outOff + 1] = o0 >>> 16;
  out[outOff + 2] = o0 >>> 8;
  out[outOff + 3] = o0;
  out[outOff + 4] = o1 >>> 24;
  out[outOff + 5] = o1 >>> 16;
  out[outOff + 6] = o1 >>> 8;
  out[outOff + 7] = o1;
  out[outOff + 8] = o2 >>> 24;
  out[outOff + 9] = o2 >>> 16;
  out[outOff + 10] = o2 >>> 8;
  out[outOff + 11] = o2;
  out[outOff + 12] = o3 >>> 24;
  out[outOff + 13] = o3 >>> 16;
  out[outOff + 14] = o3 >>> 8;
  out[outOff + 15] = o3;
}

/** E_K(block): AES-128 encryption of one 16-byte block into a new array. */
export function aes128Encrypt(key: Uint8Array, block: Uint8Array): Uint8Array {
  bytesOf('block', block, 16);
  const out = new Uint8Array(16);
  aes128EncryptInto(aes128KeyCached(key), block, 0, out, 0);
  return out;
}
