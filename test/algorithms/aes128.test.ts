// AES-128 (FIPS-197) as the Milenage kernel: FIPS-197 Appendix C.1 and a cross-check against
// node:crypto, which tests may use (card/ may not).
import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { aes128Encrypt, aes128EncryptInto, aes128EncryptWords, aes128ExpandKey } from '../../card/algorithms/index.js';
import { bytesToHex } from '../../card/runtime/bytes.js';
import { expectError, h } from './vectors.js';

function nodeAes(key: Uint8Array, block: Uint8Array): string {
  const c = createCipheriv('aes-128-ecb', key, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(block), c.final()]).toString('hex');
}

describe('aes128', () => {
  it('matches FIPS-197 Appendix C.1 (AES-128)', () => {
    const out = aes128Encrypt(h('000102030405060708090a0b0c0d0e0f'), h('00112233445566778899aabbccddeeff'));
    expect(bytesToHex(out)).toBe('69c4e0d86a7b0430d8cdb78070b4c55a');
  });

  it('matches FIPS-197 Appendix A.1 key expansion (last round key)', () => {
    const { roundKeys } = aes128ExpandKey(h('2b7e151628aed2a6abf7158809cf4f3c'));
    expect(Array.from(roundKeys.slice(40), (w) => w.toString(16).padStart(8, '0')).join('')).toBe(
      'd014f9a8c9ee2589e13f0cc8b6630ca6',
    );
  });

  // The word form Milenage uses (issue 20): FIPS-197 C.1 and node:crypto on random keys and blocks.
  it('aes128EncryptWords: big-endian words in and out, the same cipher as the byte form', () => {
    const words = (b: Uint8Array): number[] => [0, 4, 8, 12].map((o) => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!));
    const hexOf = (w: Int32Array, at: number): string => Array.from(w.slice(at, at + 4), (x) => (x >>> 0).toString(16).padStart(8, '0')).join('');
    const out = new Int32Array(8);
    const [a, b, c, d] = words(h('00112233445566778899aabbccddeeff'));
    aes128EncryptWords(aes128ExpandKey(h('000102030405060708090a0b0c0d0e0f')), a!, b!, c!, d!, out, 4);
    expect(hexOf(out, 4)).toBe('69c4e0d86a7b0430d8cdb78070b4c55a');
    expect(hexOf(out, 0)).toBe('0'.repeat(32));
    for (let i = 0; i < 300; i++) {
      const key = new Uint8Array(randomBytes(16));
      const block = new Uint8Array(randomBytes(16));
      const [w0, w1, w2, w3] = words(block);
      aes128EncryptWords(aes128ExpandKey(key), w0!, w1!, w2!, w3!, out, 0);
      expect(hexOf(out, 0)).toBe(nodeAes(key, block));
    }
  });

  it('agrees with node:crypto aes-128-ecb on 500 random keys and blocks', () => {
    for (let i = 0; i < 500; i++) {
      const key = new Uint8Array(randomBytes(16));
      const block = new Uint8Array(randomBytes(16));
      expect(bytesToHex(aes128Encrypt(key, block)), `key ${bytesToHex(key)} block ${bytesToHex(block)}`).toBe(
        nodeAes(key, block),
      );
    }
  });

  it('encrypts in place at offsets', () => {
    const key = h('000102030405060708090a0b0c0d0e0f');
    const buf = new Uint8Array(20);
    buf.set(h('00112233445566778899aabbccddeeff'), 3);
    aes128EncryptInto(aes128ExpandKey(key), buf, 3, buf, 3);
    expect(bytesToHex(buf.subarray(3, 19))).toBe('69c4e0d86a7b0430d8cdb78070b4c55a');
    expect(buf[0]).toBe(0);
    expect(buf[19]).toBe(0);
  });

  // Guards the key-schedule cache: it must compare contents, copy the key, and survive eviction.
  it('is not fooled by a key array mutated after use, nor by cache eviction', () => {
    const block = new Uint8Array(randomBytes(16));
    const key = new Uint8Array(randomBytes(16));
    const first = aes128Encrypt(key, block);
    key[0]! ^= 1;
    expect(bytesToHex(aes128Encrypt(key, block))).toBe(nodeAes(key, block));
    key[0]! ^= 1;
    expect(aes128Encrypt(key, block)).toEqual(first);
    const keys = Array.from({ length: 10 }, () => new Uint8Array(randomBytes(16)));
    for (let round = 0; round < 3; round++) {
      for (const k of keys) expect(bytesToHex(aes128Encrypt(k, block))).toBe(nodeAes(k, block));
    }
  });

  it('rejects bad lengths and types', () => {
    expectError(() => aes128Encrypt(new Uint8Array(15), new Uint8Array(16)), RangeError, '"key" expected 16 bytes, got 15');
    expectError(() => aes128Encrypt(new Uint8Array(16), new Uint8Array(17)), RangeError, '"block" expected 16 bytes, got 17');
    expectError(
      () => aes128Encrypt('00' as unknown as Uint8Array, new Uint8Array(16)),
      TypeError,
      '"key" expected Uint8Array, got string',
    );
  });
});
