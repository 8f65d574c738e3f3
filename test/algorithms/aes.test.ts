// AES for every key size, both directions, and AES-CBC (card/algorithms/aes.ts) — SCP03's cipher.
// FIPS-197 Appendix C.1–C.3, NIST SP 800-38A Appendix F.2.1–F.2.6, then node:crypto.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { aesDecryptBlock, aesDecryptCbc, aesEncryptBlock, aesEncryptCbc, aesExpandKey } from '../../card/algorithms/index.js';
import { bytesToHex } from '../../card/runtime/bytes.js';
import { expectError, h } from './vectors.js';

const PT = h('00112233445566778899aabbccddeeff');

// SP 800-38A Appendix F: the shared plaintext, IV and the F.2 keys and CBC ciphertexts.
const M = h(
  '6bc1bee22e409f96e93d7e117393172a' + 'ae2d8a571e03ac9c9eb76fac45af8e51' + '30c81c46a35ce411e5fbc1191a0a52ef' + 'f69f2445df4f9b17ad2b417be66c3710',
);
const IV = h('000102030405060708090a0b0c0d0e0f');
const CBC = [
  {
    name: 'F.2.1/F.2.2 CBC-AES128',
    key: '2b7e151628aed2a6abf7158809cf4f3c',
    ct: '7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b273bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7',
  },
  {
    name: 'F.2.3/F.2.4 CBC-AES192',
    key: '8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b',
    ct: '4f021db243bc633d7178183a9fa071e8b4d9ada9ad7dedf4e5e738763f69145a571b242012fb7ae07fa9baac3df102e008b0e27988598881d920a9e64f5615cd',
  },
  {
    name: 'F.2.5/F.2.6 CBC-AES256',
    key: '603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4',
    ct: 'f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b',
  },
] as const;

function nodeCbc(dir: 'enc' | 'dec', key: Uint8Array, iv: Uint8Array, data: Uint8Array): string {
  const name = `aes-${key.length * 8}-cbc`;
  const c = dir === 'enc' ? createCipheriv(name, key, iv) : createDecipheriv(name, key, iv);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]).toString('hex');
}

describe('AES, any key size (FIPS-197)', () => {
  it('matches FIPS-197 Appendix C.1, C.2, C.3 in both directions', () => {
    const cases = [
      ['000102030405060708090a0b0c0d0e0f', '69c4e0d86a7b0430d8cdb78070b4c55a'],
      ['000102030405060708090a0b0c0d0e0f1011121314151617', 'dda97ca4864cdfe06eaf70a0ec0d7191'],
      ['000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', '8ea2b7ca516745bfeafc49904b496089'],
    ] as const;
    for (const [key, ct] of cases) {
      expect(bytesToHex(aesEncryptBlock(h(key), PT)), key).toBe(ct);
      expect(bytesToHex(aesDecryptBlock(h(key), h(ct))), key).toBe(bytesToHex(PT));
    }
  });

  it('expands keys to Nr + 1 round keys (FIPS-197 A.3: last AES-256 round key)', () => {
    const k = aesExpandKey(h('603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4'));
    expect(k.rounds).toBe(14);
    expect(bytesToHex(k.roundKeys.subarray(14 * 16))).toBe('fe4890d1e6188d0b046df344706c631e');
  });

  it('matches NIST SP 800-38A F.2 (CBC) for AES-128, -192, -256, both directions', () => {
    for (const v of CBC) {
      expect(bytesToHex(aesEncryptCbc(h(v.key), IV, M)), v.name).toBe(v.ct);
      expect(bytesToHex(aesDecryptCbc(h(v.key), IV, h(v.ct))), v.name).toBe(bytesToHex(M));
    }
  });

  it('agrees with node:crypto AES-CBC on random keys of each size, IVs and lengths', () => {
    for (let i = 0; i < 90; i++) {
      const key = new Uint8Array(randomBytes([16, 24, 32][i % 3]!));
      const iv = new Uint8Array(randomBytes(16));
      const data = new Uint8Array(randomBytes(16 * (1 + (i % 4))));
      const label = `key ${bytesToHex(key)}`;
      expect(bytesToHex(aesEncryptCbc(key, iv, data)), label).toBe(nodeCbc('enc', key, iv, data));
      expect(bytesToHex(aesDecryptCbc(key, iv, data)), label).toBe(nodeCbc('dec', key, iv, data));
    }
  });

  it('rejects bad key, IV and data lengths', () => {
    expectError(() => aesEncryptBlock(new Uint8Array(20), PT), RangeError, '"key" expected 16, 24 or 32 bytes (AES-128/192/256), got 20');
    expectError(() => aesDecryptBlock(new Uint8Array(16), new Uint8Array(15)), RangeError, '"block" expected 16 bytes, got 15');
    expectError(() => aesEncryptCbc(new Uint8Array(16), new Uint8Array(8), M), RangeError, '"iv" expected 16 bytes, got 8');
    expectError(() => aesDecryptCbc(new Uint8Array(16), IV, new Uint8Array(17)), RangeError, '"data" expected a multiple of 16 bytes, got 17');
  });

  it('does not modify its inputs', () => {
    const data = M.slice();
    const iv = IV.slice();
    aesEncryptCbc(h(CBC[2].key), iv, data);
    aesDecryptCbc(h(CBC[2].key), iv, data);
    expect(bytesToHex(data)).toBe(bytesToHex(M));
    expect(bytesToHex(iv)).toBe(bytesToHex(IV));
  });
});
