/**
 * AES (FIPS-197) for every key size (128, 192, 256 bits), both directions, and CBC mode
 * (NIST SP 800-38A §6.2): what GlobalPlatform SCP03 (Amendment D) needs — its keys may be
 * AES-128, -192 or -256, its command/response encryption is AES-CBC.
 *
 * Encryption under a 16-byte key goes through the fast table cipher of aes128.ts (the Milenage
 * kernel); the other key sizes and the inverse cipher (FIPS-197 §5.3) use the plain byte-oriented
 * form of the standard below. Hazard: S-box look-ups indexed by secret bytes are not
 * constant-time; acceptable for an emulator.
 */
import { SBOX, aes128EncryptInto, aes128KeyCached, xtime } from './aes128.js';
import { bytesOf } from './check.js';

const INV_SBOX = new Uint8Array(256);
for (let i = 0; i < 256; i++) INV_SBOX[SBOX[i]!] = i;

/** GF(2^8) product (FIPS-197 §4.2). */
function mul(a: number, b: number): number {
  let r = 0;
  while (b) {
    if (b & 1) r ^= a;
    a = xtime(a);
    b >>= 1;
  }
  return r;
}

/** GF(2^8) multiplication by the MixColumns / InvMixColumns coefficients, as tables (index: the byte). */
const MUL = new Map<number, Uint8Array>(
  [1, 2, 3, 9, 11, 13, 14].map((c) => [c, Uint8Array.from({ length: 256 }, (_, b) => mul(b, c))]),
);

/** An expanded AES key: Nr + 1 round keys of 16 bytes (FIPS-197 §5.2). */
export interface AesKey {
  readonly rounds: number;
  readonly roundKeys: Uint8Array;
  readonly key: Uint8Array;
}

/** The key length check of SCP03 and the generic cipher: 16, 24 or 32 bytes. */
export function aesKeyOf(name: string, key: Uint8Array): Uint8Array {
  if (!(key instanceof Uint8Array)) bytesOf(name, key, 16); // throws the house TypeError
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
    throw new RangeError(`"${name}" expected 16, 24 or 32 bytes (AES-128/192/256), got ${key.length}`);
  }
  return key;
}

/** KeyExpansion (FIPS-197 §5.2) for Nk = 4, 6 or 8. */
export function aesExpandKey(key: Uint8Array): AesKey {
  aesKeyOf('key', key);
  const nk = key.length / 4;
  const rounds = nk + 6;
  const words = 4 * (rounds + 1);
  const w = new Uint8Array(4 * words);
  w.set(key);
  let rcon = 1;
  for (let i = nk; i < words; i++) {
    let t0 = w[4 * i - 4]!;
    let t1 = w[4 * i - 3]!;
    let t2 = w[4 * i - 2]!;
    let t3 = w[4 * i - 1]!;
    if (i % nk === 0) {
      const r = t0;
      t0 = SBOX[t1]! ^ rcon;
      t1 = SBOX[t2]!;
      t2 = SBOX[t3]!;
      t3 = SBOX[r]!;
      rcon = xtime(rcon);
    } else if (nk > 6 && i % nk === 4) {
      t0 = SBOX[t0]!;
      t1 = SBOX[t1]!;
      t2 = SBOX[t2]!;
      t3 = SBOX[t3]!;
    }
    const p = 4 * (i - nk);
    w[4 * i] = w[p]! ^ t0;
    w[4 * i + 1] = w[p + 1]! ^ t1;
    w[4 * i + 2] = w[p + 2]! ^ t2;
    w[4 * i + 3] = w[p + 3]! ^ t3;
  }
  return { rounds, roundKeys: w, key: key.slice() };
}

function addRoundKey(s: Uint8Array, rk: Uint8Array, round: number): void {
  for (let i = 0; i < 16; i++) s[i] = s[i]! ^ rk[16 * round + i]!;
}

const SCRATCH = new Uint8Array(16);

/** ShiftRows (§5.1.2) or InvShiftRows (§5.3.1); the state is column-major (s[r + 4c]). */
function shiftRows(s: Uint8Array, inverse: boolean): void {
  const t = SCRATCH;
  t.set(s);
  for (let r = 1; r < 4; r++) {
    for (let c = 0; c < 4; c++) {
      const from = inverse ? (c - r + 4) % 4 : (c + r) % 4;
      s[r + 4 * c] = t[r + 4 * from]!;
    }
  }
}

const FORWARD = [2, 3, 1, 1].map((c) => MUL.get(c)!);
const INVERSE = [14, 11, 13, 9].map((c) => MUL.get(c)!);

/** MixColumns (§5.1.3) or InvMixColumns (§5.3.3): each column times the circulant matrix. */
function mixColumns(s: Uint8Array, inverse: boolean): void {
  const [m0, m1, m2, m3] = (inverse ? INVERSE : FORWARD) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  for (let c = 0; c < 4; c++) {
    const a0 = s[4 * c]!;
    const a1 = s[4 * c + 1]!;
    const a2 = s[4 * c + 2]!;
    const a3 = s[4 * c + 3]!;
    s[4 * c] = m0[a0]! ^ m1[a1]! ^ m2[a2]! ^ m3[a3]!;
    s[4 * c + 1] = m3[a0]! ^ m0[a1]! ^ m1[a2]! ^ m2[a3]!;
    s[4 * c + 2] = m2[a0]! ^ m3[a1]! ^ m0[a2]! ^ m1[a3]!;
    s[4 * c + 3] = m1[a0]! ^ m2[a1]! ^ m3[a2]! ^ m0[a3]!;
  }
}

/** Cipher (FIPS-197 §5.1) of the 16-byte block at buf[off..], in place. */
function encryptInPlace(k: AesKey, buf: Uint8Array, off: number): void {
  if (k.rounds === 10) {
    aes128EncryptInto(aes128KeyCached(k.key), buf, off, buf, off);
    return;
  }
  const s = buf.slice(off, off + 16);
  addRoundKey(s, k.roundKeys, 0);
  for (let round = 1; round <= k.rounds; round++) {
    for (let i = 0; i < 16; i++) s[i] = SBOX[s[i]!]!;
    shiftRows(s, false);
    if (round !== k.rounds) mixColumns(s, false);
    addRoundKey(s, k.roundKeys, round);
  }
  buf.set(s, off);
}

/** InvCipher (FIPS-197 §5.3) of the 16-byte block at buf[off..], in place. */
function decryptInPlace(k: AesKey, buf: Uint8Array, off: number): void {
  const s = buf.slice(off, off + 16);
  addRoundKey(s, k.roundKeys, k.rounds);
  for (let round = k.rounds - 1; round >= 0; round--) {
    shiftRows(s, true);
    for (let i = 0; i < 16; i++) s[i] = INV_SBOX[s[i]!]!;
    addRoundKey(s, k.roundKeys, round);
    if (round !== 0) mixColumns(s, true);
  }
  buf.set(s, off);
}

const CACHE_SIZE = 8;
const cache: AesKey[] = [];

function keyCached(key: Uint8Array): AesKey {
  aesKeyOf('key', key);
  for (const k of cache) {
    if (k.key.length !== key.length) continue;
    let same = true;
    for (let i = 0; i < key.length; i++) if (k.key[i] !== key[i]) same = false;
    if (same) return k;
  }
  const fresh = aesExpandKey(key);
  cache.unshift(fresh);
  if (cache.length > CACHE_SIZE) cache.pop();
  return fresh;
}

/** E_K(block) for a 16/24/32-byte key. */
export function aesEncryptBlock(key: Uint8Array, block16: Uint8Array): Uint8Array {
  const k = keyCached(key);
  const out = bytesOf('block', block16, 16).slice();
  encryptInPlace(k, out, 0);
  return out;
}

/** D_K(block) for a 16/24/32-byte key (FIPS-197 §5.3 inverse cipher). */
export function aesDecryptBlock(key: Uint8Array, block16: Uint8Array): Uint8Array {
  const k = keyCached(key);
  const out = bytesOf('block', block16, 16).slice();
  decryptInPlace(k, out, 0);
  return out;
}

function blocksOf(name: string, data: Uint8Array): Uint8Array {
  if (!(data instanceof Uint8Array)) bytesOf(name, data, 16);
  if (data.length % 16 !== 0) throw new RangeError(`"${name}" expected a multiple of 16 bytes, got ${data.length}`);
  return data;
}

/** AES-CBC encryption (SP 800-38A §6.2) over whole 16-byte blocks (the caller pads). */
export function aesEncryptCbc(key: Uint8Array, iv16: Uint8Array, data: Uint8Array): Uint8Array {
  const k = keyCached(key);
  bytesOf('iv', iv16, 16);
  const out = blocksOf('data', data).slice();
  for (let off = 0; off < out.length; off += 16) {
    for (let i = 0; i < 16; i++) out[off + i] = out[off + i]! ^ (off === 0 ? iv16[i]! : out[off - 16 + i]!);
    encryptInPlace(k, out, off);
  }
  return out;
}

/** AES-CBC decryption (SP 800-38A §6.2) over whole 16-byte blocks (the caller unpads). */
export function aesDecryptCbc(key: Uint8Array, iv16: Uint8Array, data: Uint8Array): Uint8Array {
  const k = keyCached(key);
  bytesOf('iv', iv16, 16);
  const input = blocksOf('data', data);
  const out = input.slice();
  for (let off = 0; off < out.length; off += 16) {
    decryptInPlace(k, out, off);
    for (let i = 0; i < 16; i++) out[off + i] = out[off + i]! ^ (off === 0 ? iv16[i]! : input[off - 16 + i]!);
  }
  return out;
}

/** The block cipher of a 16/24/32-byte key as an in-place function (for CMAC over any key size). */
export function aesEncryptorOf(key: Uint8Array): (buf: Uint8Array, off: number) => void {
  const k = keyCached(key);
  return (buf, off) => encryptInPlace(k, buf, off);
}
