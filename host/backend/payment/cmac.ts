/**
 * AES-128-CMAC (RFC 4493) on node:crypto: the server's own recomputation of the card's MAC variant,
 * a second implementation independent of card/algorithms/aes-cmac.ts (AES from OpenSSL, the
 * subkey doubling and padding written again here). Both are checked against RFC 4493 §4.
 */
import { createCipheriv } from 'node:crypto';

function aesEcb(key: Uint8Array, block: Uint8Array): Buffer {
  const c = createCipheriv('aes-128-ecb', key, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(block), c.final()]);
}

function dbl(b: Buffer): Buffer {
  const out = Buffer.alloc(16);
  let carry = 0;
  for (let i = 15; i >= 0; i--) {
    const v = (b[i]! << 1) | carry;
    out[i] = v & 0xff;
    carry = v >> 8;
  }
  if (b[0]! & 0x80) out[15] = out[15]! ^ 0x87;
  return out;
}

export function nodeAesCmac(key: Uint8Array, message: Uint8Array): Uint8Array {
  if (key.length !== 16) throw new RangeError(`"key" expected 16 bytes, got ${key.length}`);
  const k1 = dbl(aesEcb(key, Buffer.alloc(16)));
  const k2 = dbl(k1);
  const blocks = Math.max(1, Math.ceil(message.length / 16));
  const complete = message.length > 0 && message.length % 16 === 0;
  const last = Buffer.alloc(16);
  const tail = message.subarray(16 * (blocks - 1));
  last.set(tail);
  if (!complete) last[tail.length] = 0x80;
  const sub = complete ? k1 : k2;
  for (let i = 0; i < 16; i++) last[i] = last[i]! ^ sub[i]!;
  // CBC-MAC with a zero IV: the last ciphertext block of the CBC encryption.
  const c = createCipheriv('aes-128-cbc', key, Buffer.alloc(16));
  c.setAutoPadding(false);
  const ct = Buffer.concat([c.update(message.subarray(0, 16 * (blocks - 1))), c.update(last), c.final()]);
  return new Uint8Array(ct.subarray(ct.length - 16));
}
