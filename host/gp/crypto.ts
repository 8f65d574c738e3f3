/**
 * The host side's block-cipher building blocks for GlobalPlatform secure channels, on node:crypto
 * (OpenSSL) — deliberately NOT card/algorithms: the card's SCP code is pure TypeScript, the host's
 * runs on OpenSSL, so a session between them checks one against the other (issue 21 item 4).
 *
 * - Triple DES with 2-key (16-byte) or 3-key (24-byte) keys: des-ede / des-ede3 in ECB and CBC.
 * - Single DES: OpenSSL 3 moved 'des-ecb' to the legacy provider, so it runs as 3-key TDEA with
 *   K1 = K2 = K3, which is single DES by construction (SP 800-67 §3.1).
 * - ISO/IEC 9797-1 MAC algorithm 1 (full 3DES CBC-MAC) and algorithm 3 (the "retail MAC": single
 *   DES CBC, final block through 3DES), both with padding method 2 (80 00 …).
 * - AES-CMAC (RFC 4493; NIST SP 800-38B) built from aes-*-ecb, for 128/192/256-bit keys.
 * - The SP 800-108 KDF in counter mode with AES-CMAC as PRF and an 8-bit counter between two
 *   fixed-data parts (GP Amendment D §6.2.2 places it there: label ‖ 00 ‖ L ‖ i ‖ context).
 * Keys are handed in as bytes and not kept: nothing here logs or returns a key.
 */
import * as nodeCrypto from 'node:crypto';
import { concat } from '../../card/runtime/index.js';

function u8(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

function run(alg: string, key: Uint8Array, iv: Uint8Array | null, data: Uint8Array, encrypt: boolean): Uint8Array {
  const c = encrypt ? nodeCrypto.createCipheriv(alg, key, iv) : nodeCrypto.createDecipheriv(alg, key, iv);
  c.setAutoPadding(false);
  return u8(Buffer.concat([c.update(data), c.final()]));
}

function tdesAlg(key: Uint8Array, mode: 'ecb' | 'cbc'): string {
  if (key.length === 16) return `des-ede-${mode}`;
  if (key.length === 24) return `des-ede3-${mode}`;
  throw new RangeError(`"key" expected 16 or 24 bytes (2- or 3-key triple DES), got ${key.length}`);
}

function aesAlg(key: Uint8Array, mode: 'ecb' | 'cbc'): string {
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) throw new RangeError(`"key" expected 16, 24 or 32 bytes (AES), got ${key.length}`);
  return `aes-${key.length * 8}-${mode}`;
}

function blocks(data: Uint8Array, size: number, what: string): void {
  if (data.length % size !== 0) throw new RangeError(`"${what}" expected a multiple of ${size} bytes, got ${data.length}`);
}

export function tdesEcb(key: Uint8Array, data: Uint8Array, encrypt = true): Uint8Array {
  blocks(data, 8, 'data');
  return run(tdesAlg(key, 'ecb'), key, null, data, encrypt);
}

export function tdesCbc(key: Uint8Array, data: Uint8Array, iv: Uint8Array = new Uint8Array(8), encrypt = true): Uint8Array {
  blocks(data, 8, 'data');
  return run(tdesAlg(key, 'cbc'), key, iv, data, encrypt);
}

/** Single DES, ECB, through 3-key TDEA with K1 = K2 = K3 (OpenSSL 3 refuses plain 'des-ecb'). */
export function desEcb(key8: Uint8Array, data: Uint8Array, encrypt = true): Uint8Array {
  if (key8.length !== 8) throw new RangeError(`"key" expected 8 bytes (single DES), got ${key8.length}`);
  blocks(data, 8, 'data');
  return run('des-ede3-ecb', concat(key8, key8, key8), null, data, encrypt);
}

export function aesEcb(key: Uint8Array, data: Uint8Array, encrypt = true): Uint8Array {
  blocks(data, 16, 'data');
  return run(aesAlg(key, 'ecb'), key, null, data, encrypt);
}

export function aesCbc(key: Uint8Array, data: Uint8Array, iv: Uint8Array = new Uint8Array(16), encrypt = true): Uint8Array {
  blocks(data, 16, 'data');
  return run(aesAlg(key, 'cbc'), key, iv, data, encrypt);
}

/** ISO/IEC 9797-1 padding method 2: 80, then 00 up to a multiple of `block` (always at least one byte). */
export function pad80(data: Uint8Array, block: number): Uint8Array {
  const out = new Uint8Array((Math.floor(data.length / block) + 1) * block);
  out.set(data);
  out[data.length] = 0x80;
  return out;
}

/** Removes padding method 2; undefined when the data does not end in 80 00 … (a bad decryption). */
export function unpad80(data: Uint8Array): Uint8Array | undefined {
  let i = data.length - 1;
  while (i >= 0 && data[i] === 0) i--;
  return i >= 0 && data[i] === 0x80 ? data.subarray(0, i) : undefined;
}

/** ISO/IEC 9797-1 MAC algorithm 1 with 3DES, padding method 2: the last block of 3DES-CBC. */
export function tdesCbcMac(key: Uint8Array, data: Uint8Array, iv: Uint8Array = new Uint8Array(8)): Uint8Array {
  return tdesCbc(key, pad80(data, 8), iv).slice(-8);
}

/**
 * ISO/IEC 9797-1 MAC algorithm 3 (retail MAC), padding method 2: single-DES CBC under K1 over all
 * blocks, then the last one decrypted with K2 and encrypted with K1 (GP Card Spec §B.1.2.2).
 */
export function retailMac(key16: Uint8Array, data: Uint8Array, iv: Uint8Array = new Uint8Array(8)): Uint8Array {
  if (key16.length !== 16) throw new RangeError(`"key" expected 16 bytes (2-key triple DES), got ${key16.length}`);
  const k1 = key16.subarray(0, 8);
  const padded = pad80(data, 8);
  const head = padded.subarray(0, padded.length - 8);
  // Single DES over all blocks but the last; the last block through the full 3DES (E K1 ∘ D K2 ∘ E K1).
  const chain = head.length ? run('des-ede3-cbc', concat(k1, k1, k1), iv, head, true).slice(-8) : iv;
  return tdesCbc(key16, padded.subarray(padded.length - 8), chain);
}

function shiftLeft(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length);
  for (let i = 0; i < b.length; i++) out[i] = ((b[i]! << 1) | (i + 1 < b.length ? b[i + 1]! >>> 7 : 0)) & 0xff;
  return out;
}

/** RFC 4493 §2.3 subkey generation, for any AES key length (SP 800-38B §6.1, Rb = 0x87). */
function cmacSubkey(l: Uint8Array): Uint8Array {
  const k = shiftLeft(l);
  if (l[0]! & 0x80) k[15]! ^= 0x87;
  return k;
}

/** AES-CMAC (RFC 4493 / NIST SP 800-38B) with a 16-, 24- or 32-byte key; the full 16-byte tag. */
export function aesCmac(key: Uint8Array, message: Uint8Array): Uint8Array {
  const k1 = cmacSubkey(aesEcb(key, new Uint8Array(16)));
  const complete = message.length > 0 && message.length % 16 === 0;
  const last = complete ? message.slice(-16) : pad80(message.subarray(message.length - (message.length % 16)), 16);
  const sub = complete ? k1 : cmacSubkey(k1);
  for (let i = 0; i < 16; i++) last[i]! ^= sub[i]!;
  const head = message.subarray(0, complete ? message.length - 16 : message.length - (message.length % 16));
  const cbc = aesCbc(key, concat(head, last));
  return cbc.slice(-16);
}

/**
 * NIST SP 800-108 KDF in counter mode, PRF = AES-CMAC, 8-bit counter i = 1, 2, … placed between
 * `before` and `after` (the CAVP "MIDDLE_FIXED" layout; BEFORE_FIXED is before = empty).
 */
export function kdfCounterCmac(key: Uint8Array, before: Uint8Array, after: Uint8Array, outBytes: number): Uint8Array {
  const n = Math.ceil(outBytes / 16);
  if (n < 1 || n > 255) throw new RangeError(`"outBytes" expected 1..${255 * 16}, got ${outBytes}`);
  const parts: Uint8Array[] = [];
  for (let i = 1; i <= n; i++) parts.push(aesCmac(key, concat(before, Uint8Array.of(i), after)));
  return concat(...parts).slice(0, outBytes);
}

/** Key check value of a DES key: 3DES-ECB of eight 00 bytes, first 3 bytes (GP Card Spec §11.8.2.3). */
export function kcvDes(key: Uint8Array): Uint8Array {
  return tdesEcb(key, new Uint8Array(8)).slice(0, 3);
}

/** Key check value of an AES key: AES of sixteen 01 bytes, first 3 bytes (GP Amendment D §7.2). */
export function kcvAes(key: Uint8Array): Uint8Array {
  return aesEcb(key, new Uint8Array(16).fill(1)).slice(0, 3);
}

export function randomBytes(n: number): Uint8Array {
  return u8(nodeCrypto.randomBytes(n));
}
