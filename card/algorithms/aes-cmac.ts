/**
 * AES-128-CMAC (RFC 4493 / NIST SP 800-38B) over the card's AES-128 block cipher: subkeys K1, K2
 * by doubling L = E_K(0^128) in GF(2^128) (Rb = 0x87, RFC 4493 §2.3), then CBC-MAC with the last
 * block XORed with K1 (complete) or padded 10* and XORed with K2 (incomplete or empty).
 * Used by the payment applet's MAC variant, the ledger's ticket seal and GlobalPlatform SCP03 (whose
 * keys may also be AES-192/256: SP 800-38B is the same algorithm over any AES key, so a 24- or
 * 32-byte key takes the key-size-generic cipher of aes.ts; a 16-byte key keeps the fast path).
 * Checked against the RFC 4493 §4 and SP 800-38B Appendix D examples
 * (test/algorithms/aes-cmac.test.ts) and node:crypto on the host.
 */
import { aesEncryptorOf } from './aes.js';
import { aes128EncryptInto, aes128KeyCached } from './aes128.js';

const RB = 0x87; // RFC 4493 §2.3: const_Rb

function double(src: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 15; i++) out[i] = ((src[i]! << 1) | (src[i + 1]! >> 7)) & 0xff;
  out[15] = (src[15]! << 1) & 0xff;
  if (src[0]! & 0x80) out[15] ^= RB;
  return out;
}

type BlockEncrypt = (buf: Uint8Array, off: number) => void;

/** The in-place block cipher of a key: the AES-128 table cipher for 16 bytes, else the generic one. */
function encryptorOf(key: Uint8Array): BlockEncrypt {
  if (key instanceof Uint8Array && (key.length === 24 || key.length === 32)) return aesEncryptorOf(key);
  const k = aes128KeyCached(key); // 16 bytes, or the house error for anything else
  return (buf, off) => aes128EncryptInto(k, buf, off, buf, off);
}

function subkeysWith(encrypt: BlockEncrypt): [Uint8Array, Uint8Array] {
  const l = new Uint8Array(16);
  encrypt(l, 0);
  const k1 = double(l);
  return [k1, double(k1)];
}

/** RFC 4493 §2.3 Generate_Subkey (SP 800-38B §6.1 for AES-192/256 keys). */
export function cmacSubkeys(key: Uint8Array): [Uint8Array, Uint8Array] {
  return subkeysWith(encryptorOf(key));
}

/** RFC 4493 §2.4 AES-CMAC (SP 800-38B §6.2 for any AES key size): the full 16-byte tag. */
export function aesCmac(key: Uint8Array, message: Uint8Array): Uint8Array {
  const encrypt = encryptorOf(key);
  const [k1, k2] = subkeysWith(encrypt);
  const n = message.length === 0 ? 1 : Math.ceil(message.length / 16);
  const complete = message.length > 0 && message.length % 16 === 0;
  const x = new Uint8Array(16);
  for (let b = 0; b < n - 1; b++) {
    for (let i = 0; i < 16; i++) x[i] = x[i]! ^ message[16 * b + i]!;
    encrypt(x, 0);
  }
  const start = 16 * (n - 1);
  const sub = complete ? k1 : k2;
  for (let i = 0; i < 16; i++) {
    const j = start + i;
    const m = j < message.length ? message[j]! : j === message.length ? 0x80 : 0;
    x[i] = x[i]! ^ m ^ sub[i]!;
  }
  encrypt(x, 0);
  return x;
}
