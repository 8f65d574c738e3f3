/**
 * Sealing a ticket to another card's public key (ECIES-style, SEC 1 §5.1 shape):
 *   ephemeral key e, Z = x(e·Q_recipient)                       (ECDH, SEC 1 §3.3.1)
 *   K = SHA-256(Z || "cardforge seal" || E)  → K_enc = K[0..16), K_mac = K[16..32)
 *   C = AES-128-CTR(K_enc, IV = 0, plaintext)                   (NIST SP 800-38A §6.5)
 *   T = AES-CMAC(K_mac, E || C)                                  (NIST SP 800-38B, RFC 4493)
 *   sealed = E (65) || C || T (16)
 * A zero IV is sound because each key pair (e) is fresh, so K_enc is never reused. The tag is
 * encrypt-then-MAC and checked in constant time before anything is decrypted.
 * CTR and CMAC are card/algorithms (aes-ctr.ts, aes-cmac.ts).
 */
import { aesCmac } from '../../algorithms/aes-cmac.js';
import { aes128Ctr } from '../../algorithms/aes-ctr.js';
import { sha256 } from '../../algorithms/sha256.js';
import { equalBytes } from '../../runtime/index.js';
import { publicKeyOf, scalarFromSeed, sharedSecret, PUBLIC_KEY_LENGTH } from '../../algorithms/p256.js';

const LABEL = new TextEncoder().encode('cardforge seal');
export const TAG_LENGTH = 16;
export const SEAL_OVERHEAD = PUBLIC_KEY_LENGTH + TAG_LENGTH;

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
