// AES-128-CTR (NIST SP 800-38A §6.5) of card/algorithms: F.5.1 (encrypt) and F.5.2 (decrypt)
// CTR-AES128, partial last blocks, the carry across all 16 counter bytes, against node:crypto.
import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { aes128Ctr } from '../../card/algorithms/index.js';
import { bytesToHex } from '../../card/runtime/bytes.js';
import { h } from './vectors.js';

const KEY = h('2b7e151628aed2a6abf7158809cf4f3c');
const IV = h('f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff');
const PLAIN = '6bc1bee22e409f96e93d7e117393172a' + 'ae2d8a571e03ac9c9eb76fac45af8e51' + '30c81c46a35ce411e5fbc1191a0a52ef' + 'f69f2445df4f9b17ad2b417be66c3710';
const CIPHER = '874d6191b620e3261bef6864990db6ce' + '9806f66b7970fdff8617187bb9fffdff' + '5ae4df3edbd5d35e5b4f09020db03eab' + '1e031dda2fbe03d1792170a0f3009cee';

function nodeCtr(key: Uint8Array, iv: Uint8Array, data: Uint8Array): string {
  const c = createCipheriv('aes-128-ctr', key, iv);
  return Buffer.concat([c.update(data), c.final()]).toString('hex');
}

describe('AES-128-CTR (SP 800-38A)', () => {
  it('matches F.5.1 CTR-AES128.Encrypt', () => {
    expect(bytesToHex(aes128Ctr(KEY, IV, h(PLAIN)))).toBe(CIPHER);
  });

  it('matches F.5.2 CTR-AES128.Decrypt', () => {
    expect(bytesToHex(aes128Ctr(KEY, IV, h(CIPHER)))).toBe(PLAIN);
  });

  it('handles a partial last block (a prefix of the F.5.1 ciphertext) and leaves the IV alone', () => {
    const iv = IV.slice();
    for (const n of [0, 1, 15, 17, 40, 63]) expect(bytesToHex(aes128Ctr(KEY, iv, h(PLAIN).subarray(0, n))), `length ${n}`).toBe(CIPHER.slice(0, 2 * n));
    expect(bytesToHex(iv)).toBe(bytesToHex(IV));
  });

  it('carries through all 16 counter bytes (ff…ff wraps to 00…00), as node:crypto', () => {
    const data = new Uint8Array(80).map((_, i) => i);
    for (const iv of [h('ffffffffffffffffffffffffffffffff'), h('00000000000000000000fffffffffffe'), h('0000000000000000ffffffffffffffff')]) {
      expect(bytesToHex(aes128Ctr(KEY, iv, data)), bytesToHex(iv)).toBe(nodeCtr(KEY, iv, data));
    }
  });
});
