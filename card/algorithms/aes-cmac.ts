/**
 * AES-128-CMAC (RFC 4493 / NIST SP 800-38B) over the card's AES-128 block cipher: subkeys K1, K2
 * by doubling L = E_K(0^128) in GF(2^128) (Rb = 0x87, RFC 4493 §2.3), then CBC-MAC with the last
 * block XORed with K1 (complete) or padded 10* and XORed with K2 (incomplete or empty).
 * Used by the payment applet's MAC variant and the ledger's ticket seal. Checked against the
 * RFC 4493 §4 examples (test/algorithms/aes-cmac.test.ts) and node:crypto on the host.
 */
import { aes128EncryptInto, aes128KeyCached } from './aes128.js';

const RB = 0x87; // RFC 4493 §2.3: const_Rb

function double(src: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 15; i++) out[i] = ((src[i]! << 1) | (src[i + 1]! >> 7)) & 0xff;
  out[15] = (src[15]! << 1) & 0xff;
  if (src[0]! & 0x80) out[15] ^= RB;
  return out;
}

/** RFC 4493 §2.3 Generate_Subkey. */
export function cmacSubkeys(key: Uint8Array): [Uint8Array, Uint8Array] {
  const l = new Uint8Array(16);
  aes128EncryptInto(aes128KeyCached(key), l, 0, l, 0);
  const k1 = double(l);
  return [k1, double(k1)];
}

/** RFC 4493 §2.4 AES-CMAC: the full 16-byte tag. */
export function aesCmac(key: Uint8Array, message: Uint8Array): Uint8Array {
  const k = aes128KeyCached(key);
  const [k1, k2] = cmacSubkeys(key);
  const n = message.length === 0 ? 1 : Math.ceil(message.length / 16);
  const complete = message.length > 0 && message.length % 16 === 0;
  const x = new Uint8Array(16);
  for (let b = 0; b < n - 1; b++) {
    for (let i = 0; i < 16; i++) x[i] = x[i]! ^ message[16 * b + i]!;
    aes128EncryptInto(k, x, 0, x, 0);
  }
  const start = 16 * (n - 1);
  const sub = complete ? k1 : k2;
  for (let i = 0; i < 16; i++) {
    const j = start + i;
    const m = j < message.length ? message[j]! : j === message.length ? 0x80 : 0;
    x[i] = x[i]! ^ m ^ sub[i]!;
  }
  aes128EncryptInto(k, x, 0, x, 0);
  return x;
}
