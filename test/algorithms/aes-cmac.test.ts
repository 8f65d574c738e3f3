// AES-CMAC (RFC 4493 / NIST SP 800-38B) of card/algorithms: the RFC 4493 §4 subkeys and
// examples 1–4 (empty, one complete block, a partial last block, four complete blocks), and a
// node:crypto CBC-MAC recomputation over lengths 0..64 (both subkey paths, every padding length).
import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { aesCmac, cmacSubkeys } from '../../card/algorithms/index.js';
import { bytesToHex } from '../../card/runtime/bytes.js';
import { h } from './vectors.js';

const KEY = h('2b7e151628aed2a6abf7158809cf4f3c');
const M = h(
  '6bc1bee22e409f96e93d7e117393172a' + 'ae2d8a571e03ac9c9eb76fac45af8e51' + '30c81c46a35ce411e5fbc1191a0a52ef' + 'f69f2445df4f9b17ad2b417be66c3710',
);

/** RFC 4493 §2.4 with node's AES: subkeys from E_K(0), then AES-CBC with zero IV, last block. */
function nodeCmac(key: Uint8Array, msg: Uint8Array): string {
  const ecb = (b: Uint8Array): Uint8Array => {
    const c = createCipheriv(`aes-${key.length * 8}-ecb`, key, null);
    c.setAutoPadding(false);
    return new Uint8Array(Buffer.concat([c.update(b), c.final()]));
  };
  const dbl = (b: Uint8Array): Uint8Array => {
    const v = (BigInt('0x' + bytesToHex(b)) << 1n) & ((1n << 128n) - 1n);
    const r = b[0]! & 0x80 ? v ^ 0x87n : v;
    return h(r.toString(16).padStart(32, '0'));
  };
  const k1 = dbl(ecb(new Uint8Array(16)));
  const k2 = dbl(k1);
  const n = Math.max(1, Math.ceil(msg.length / 16));
  const complete = msg.length > 0 && msg.length % 16 === 0;
  const last = new Uint8Array(16);
  last.set(msg.subarray((n - 1) * 16));
  if (!complete) last[msg.length - (n - 1) * 16] = 0x80;
  const sub = complete ? k1 : k2;
  for (let i = 0; i < 16; i++) last[i]! ^= sub[i]!;
  let x: Uint8Array = new Uint8Array(16);
  for (let b = 0; b < n; b++) {
    const blk = b < n - 1 ? msg.subarray(b * 16, b * 16 + 16) : last;
    x = ecb(x.map((v, i) => v ^ blk[i]!));
  }
  return bytesToHex(x);
}

describe('AES-CMAC (RFC 4493)', () => {
  it('derives the RFC 4493 §4 subkeys K1, K2', () => {
    const [k1, k2] = cmacSubkeys(KEY);
    expect(bytesToHex(k1)).toBe('fbeed618357133667c85e08f7236a8de');
    expect(bytesToHex(k2)).toBe('f7ddac306ae266ccf90bc11ee46d513b');
  });

  it('matches RFC 4493 §4 examples 1–4', () => {
    expect(bytesToHex(aesCmac(KEY, new Uint8Array(0)))).toBe('bb1d6929e95937287fa37d129b756746');
    expect(bytesToHex(aesCmac(KEY, M.subarray(0, 16)))).toBe('070a16b46b4d4144f79bdd9dd04a287c');
    expect(bytesToHex(aesCmac(KEY, M.subarray(0, 40)))).toBe('dfa66747de9ae63030ca32611497c827');
    expect(bytesToHex(aesCmac(KEY, M))).toBe('51f0bebf7e3b9d92fc49741779363cfe');
  });

  it('agrees with a node:crypto recomputation for every length 0..64', () => {
    const key = h('000102030405060708090a0b0c0d0e0f');
    for (let n = 0; n <= 64; n++) {
      const msg = M.subarray(0, n);
      expect(bytesToHex(aesCmac(key, msg)), `length ${n}`).toBe(nodeCmac(key, msg));
    }
  });

  it('matches NIST SP 800-38B Appendix D.2 (AES-192) and D.3 (AES-256) examples 5–12 (SCP03 key sizes)', () => {
    const k192 = h('8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b');
    const k256 = h('603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4');
    const lengths = [0, 16, 40, 64];
    const d2 = ['d17ddf46adaacde531cac483de7a9367', '9e99a7bf31e710900662f65e617c5184', '8a1de5be2eb31aad089a82e6ee908b0e', 'a1d5df0eed790f794d77589659f39a11'];
    const d3 = ['028962f61b7bf89efc6b551f4667d983', '28a7023f452e8f82bd4bf28d8c37c35c', 'aaf3d8f1de5640c232f5b169b9c911e6', 'e1992190549f6ed5696a2c056c315410'];
    lengths.forEach((n, i) => {
      expect(bytesToHex(aesCmac(k192, M.subarray(0, n))), `AES-192 length ${n}`).toBe(d2[i]);
      expect(bytesToHex(aesCmac(k256, M.subarray(0, n))), `AES-256 length ${n}`).toBe(d3[i]);
    });
  });

  it('agrees with a node:crypto recomputation for AES-192/256 keys', () => {
    for (const key of [h('000102030405060708090a0b0c0d0e0f1011121314151617'), h('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f')]) {
      for (const n of [0, 1, 15, 16, 17, 33, 64]) {
        expect(bytesToHex(aesCmac(key, M.subarray(0, n))), `key ${key.length} length ${n}`).toBe(nodeCmac(key, M.subarray(0, n)));
      }
    }
  });

  it('rejects a key that is no AES key size', () => {
    expect(() => aesCmac(new Uint8Array(20), M)).toThrow(RangeError);
  });

  it('does not modify its inputs and changes with any message bit', () => {
    const msg = M.slice(0, 40);
    const tag = bytesToHex(aesCmac(KEY, msg));
    expect(bytesToHex(msg)).toBe(bytesToHex(M.subarray(0, 40)));
    msg[39]! ^= 1;
    expect(bytesToHex(aesCmac(KEY, msg))).not.toBe(tag);
  });
});
