/**
 * Sealing a ticket to another card's public key (ECIES-style, SEC 1 §5.1 shape):
 *   ephemeral key e, Z = x(e·Q_recipient)                       (ECDH, SEC 1 §3.3.1)
 *   K = SHA-256(Z || "cardforge seal" || E)  → K_enc = K[0..16), K_mac = K[16..32)
 *   C = AES-128-CTR(K_enc, IV = 0, plaintext)                   (NIST SP 800-38A §6.5)
 *   T = AES-CMAC(K_mac, E || C)                                  (NIST SP 800-38B, RFC 4493)
 *   sealed = E (65) || C || T (16)
 * A zero IV is sound because each key pair (e) is fresh, so K_enc is never reused. The tag is
 * encrypt-then-MAC and checked in constant time before anything is decrypted.
 * Tested against node:crypto (aes-128-ctr) and the RFC 4493 CMAC vectors.
 */
import { aes128EncryptInto, aes128KeyCached } from '../../algorithms/aes128.js';
import { sha256 } from '../../algorithms/sha256.js';
import { equalBytes } from '../../runtime/index.js';
import { publicKeyOf, scalarFromSeed, sharedSecret, PUBLIC_KEY_LENGTH } from '../../algorithms/p256.js';

const LABEL = new TextEncoder().encode('cardforge seal');
export const TAG_LENGTH = 16;
export const SEAL_OVERHEAD = PUBLIC_KEY_LENGTH + TAG_LENGTH;

/** AES-128-CTR with a 16-byte big-endian counter block starting at `iv`. */
export function aes128Ctr(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  const k = aes128KeyCached(key);
  const ctr = iv.slice();
  const ks = new Uint8Array(16);
  const out = new Uint8Array(data.length);
  for (let off = 0; off < data.length; off += 16) {
    aes128EncryptInto(k, ctr, 0, ks, 0);
    const n = Math.min(16, data.length - off);
    for (let i = 0; i < n; i++) out[off + i] = data[off + i]! ^ ks[i]!;
    for (let i = 15; i >= 0; i--) if (++ctr[i]! <= 0xff) break; else ctr[i] = 0;
  }
  return out;
}

function dbl(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = ((b[i]! << 1) | (i < 15 ? b[i + 1]! >> 7 : 0)) & 0xff;
  if (b[0]! & 0x80) out[15]! ^= 0x87; // RFC 4493 §2.3: R_128 = 0^120 || 10000111
  return out;
}

/** AES-CMAC (RFC 4493 §2.4), full 16-byte tag. */
export function aesCmac(key: Uint8Array, msg: Uint8Array): Uint8Array {
  const k = aes128KeyCached(key);
  const l = new Uint8Array(16);
  aes128EncryptInto(k, l, 0, l, 0);
  const k1 = dbl(l);
  const k2 = dbl(k1);
  const blocks = Math.max(1, Math.ceil(msg.length / 16));
  const complete = msg.length > 0 && msg.length % 16 === 0;
  const x = new Uint8Array(16);
  for (let b = 0; b < blocks - 1; b++) {
    for (let i = 0; i < 16; i++) x[i]! ^= msg[b * 16 + i]!;
    aes128EncryptInto(k, x, 0, x, 0);
  }
  const last = new Uint8Array(16);
  const rest = msg.subarray((blocks - 1) * 16);
  last.set(rest);
  if (!complete) last[rest.length] = 0x80;
  const sub = complete ? k1 : k2;
  for (let i = 0; i < 16; i++) x[i]! ^= last[i]! ^ sub[i]!;
  aes128EncryptInto(k, x, 0, x, 0);
  return x;
}

function keys(z: Uint8Array, eph: Uint8Array): { enc: Uint8Array; mac: Uint8Array } {
  const buf = new Uint8Array(z.length + LABEL.length + eph.length);
  buf.set(z);
  buf.set(LABEL, z.length);
  buf.set(eph, z.length + LABEL.length);
  const k = sha256(buf);
  return { enc: k.slice(0, 16), mac: k.slice(16, 32) };
}

/** Seal `plaintext` to `recipient` (65-byte key); `seed` = 48 fresh random bytes. Undefined: bad key. */
export function seal(recipient: Uint8Array, plaintext: Uint8Array, seed: Uint8Array): Uint8Array | undefined {
  const e = scalarFromSeed(seed);
  const z = sharedSecret(e, recipient);
  if (z === undefined) return undefined;
  const eph = publicKeyOf(e);
  const { enc, mac } = keys(z, eph);
  const c = aes128Ctr(enc, new Uint8Array(16), plaintext);
  const body = new Uint8Array(eph.length + c.length);
  body.set(eph);
  body.set(c, eph.length);
  const out = new Uint8Array(body.length + TAG_LENGTH);
  out.set(body);
  out.set(aesCmac(mac, body), body.length);
  return out;
}

/** Open a sealed blob with private scalar d; undefined when malformed or the tag is wrong. */
export function open(d: bigint, sealed: Uint8Array): Uint8Array | undefined {
  if (sealed.length < SEAL_OVERHEAD) return undefined;
  const eph = sealed.subarray(0, PUBLIC_KEY_LENGTH);
  const body = sealed.subarray(0, sealed.length - TAG_LENGTH);
  const z = sharedSecret(d, eph);
  if (z === undefined) return undefined;
  const { enc, mac } = keys(z, eph);
  if (!equalBytes(aesCmac(mac, body), sealed.subarray(sealed.length - TAG_LENGTH))) return undefined;
  return aes128Ctr(enc, new Uint8Array(16), body.subarray(PUBLIC_KEY_LENGTH));
}
