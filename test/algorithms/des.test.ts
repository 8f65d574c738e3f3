// DES (FIPS 46-3), TDEA (SP 800-67), the ISO/IEC 9797-1 MACs and padding of card/algorithms/des.ts
// — the block cipher of GlobalPlatform SCP02. Published vectors (source named at each), then a
// cross-check against node:crypto's OpenSSL des-ede/des-ede3 (tests may use node:crypto, card/ may not).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  desDecryptBlock,
  desEncryptBlock,
  fullTdesMac,
  pad80,
  retailMac,
  tdesDecryptCbc,
  tdesDecryptEcb,
  tdesEncryptCbc,
  tdesEncryptEcb,
  unpad80,
} from '../../card/algorithms/index.js';
import { bytesToHex } from '../../card/runtime/bytes.js';
import { expectError, h } from './vectors.js';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

/** OpenSSL's TDEA: des-ede (16-byte key) or des-ede3 (24-byte key), ECB or CBC, no padding. */
function nodeTdes(dir: 'enc' | 'dec', key: Uint8Array, iv: Uint8Array | null, data: Uint8Array): string {
  const name = `${key.length === 16 ? 'des-ede' : 'des-ede3'}${iv === null ? '-ecb' : '-cbc'}`;
  const c = dir === 'enc' ? createCipheriv(name, key, iv) : createDecipheriv(name, key, iv);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]).toString('hex');
}

/** Single DES through OpenSSL: des-ede3 with K1 = K2 = K3 (single des-ecb is a legacy provider). */
function nodeDes(key8: Uint8Array, block: Uint8Array): Uint8Array {
  const k = new Uint8Array(24);
  k.set(key8, 0);
  k.set(key8, 8);
  k.set(key8, 16);
  return h(nodeTdes('enc', k, null, block));
}

describe('DES (FIPS 46-3)', () => {
  it('matches the FIPS 81 Appendix B ECB example ("Now is t")', () => {
    const key = h('0123456789abcdef');
    expect(bytesToHex(desEncryptBlock(key, ascii('Now is t')))).toBe('3fa40e8a984d4815');
    expect(bytesToHex(desDecryptBlock(key, h('3fa40e8a984d4815')))).toBe(bytesToHex(ascii('Now is t')));
  });

  it('matches NIST SP 800-20 Known Answer Tests (variable plaintext, variable key, substitution table)', () => {
    // SP 800-20 Table 1 (variable plaintext, key 01…01), rounds 1–3.
    const k0 = h('0101010101010101');
    expect(bytesToHex(desEncryptBlock(k0, h('8000000000000000')))).toBe('95f8a5e5dd31d900');
    expect(bytesToHex(desEncryptBlock(k0, h('4000000000000000')))).toBe('dd7f121ca5015619');
    expect(bytesToHex(desEncryptBlock(k0, h('2000000000000000')))).toBe('2e8653104f3834ea');
    // SP 800-20 Table 2 (variable key, plaintext 0), round 1.
    expect(bytesToHex(desEncryptBlock(h('8001010101010101'), new Uint8Array(8)))).toBe('95a8d72813daa94d');
    // SP 800-20 Table 4 (substitution table test), first entry.
    expect(bytesToHex(desEncryptBlock(h('7ca110454a1a6e57'), h('01a1d6d039776742')))).toBe('690f5b0d9a26939b');
    expect(bytesToHex(desDecryptBlock(h('7ca110454a1a6e57'), h('690f5b0d9a26939b')))).toBe('01a1d6d039776742');
  });

  it('inverts itself and agrees with OpenSSL on 200 random keys and blocks (parity bits ignored)', () => {
    for (let i = 0; i < 200; i++) {
      const key = new Uint8Array(randomBytes(8));
      const block = new Uint8Array(randomBytes(8));
      const c = desEncryptBlock(key, block);
      expect(bytesToHex(c), `key ${bytesToHex(key)}`).toBe(bytesToHex(nodeDes(key, block)));
      expect(bytesToHex(desDecryptBlock(key, c))).toBe(bytesToHex(block));
      const flipped = key.map((b) => b ^ 1); // parity bits only
      expect(bytesToHex(desEncryptBlock(flipped, block))).toBe(bytesToHex(c));
    }
  });

  it('rejects wrong key and block lengths with the house message', () => {
    expectError(() => desEncryptBlock(new Uint8Array(7), new Uint8Array(8)), RangeError, '"key" expected 8 bytes, got 7');
    expectError(() => desDecryptBlock(new Uint8Array(8), new Uint8Array(9)), RangeError, '"block" expected 8 bytes, got 9');
    expectError(() => desEncryptBlock('00' as unknown as Uint8Array, new Uint8Array(8)), TypeError, '"key" expected Uint8Array, got string');
  });
});

describe('TDEA (SP 800-67)', () => {
  it('matches the SP 800-67 Rev. 1 Appendix B example (3-key ECB, "The qufck brown fox jump")', () => {
    const key = h('0123456789abcdef' + '23456789abcdef01' + '456789abcdef0123');
    const pt = ascii('The qufck brown fox jump');
    const ct = 'a826fd8ce53b855fcce21c8112256fe668d5c05dd9b6b900';
    expect(bytesToHex(tdesEncryptEcb(key, pt))).toBe(ct);
    expect(bytesToHex(tdesDecryptEcb(key, h(ct)))).toBe(bytesToHex(pt));
  });

  it('reduces to DES with K1 = K2 (FIPS 81 Appendix C CBC example, "Now is the time for all ")', () => {
    const key = h('0123456789abcdef0123456789abcdef');
    const iv = h('1234567890abcdef');
    const pt = ascii('Now is the time for all ');
    const ct = 'e5c7cdde872bf27c43e934008c389c0f683788499a7c05f6';
    expect(bytesToHex(tdesEncryptCbc(key, iv, pt))).toBe(ct);
    expect(bytesToHex(tdesDecryptCbc(key, iv, h(ct)))).toBe(bytesToHex(pt));
  });

  it('agrees with OpenSSL des-ede/des-ede3 in ECB and CBC, both directions, 2- and 3-key', () => {
    for (let i = 0; i < 60; i++) {
      const key = new Uint8Array(randomBytes(i % 2 === 0 ? 16 : 24));
      const iv = new Uint8Array(randomBytes(8));
      const data = new Uint8Array(randomBytes(8 * (1 + (i % 5))));
      const label = `key ${bytesToHex(key)}`;
      expect(bytesToHex(tdesEncryptEcb(key, data)), label).toBe(nodeTdes('enc', key, null, data));
      expect(bytesToHex(tdesDecryptEcb(key, data)), label).toBe(nodeTdes('dec', key, null, data));
      expect(bytesToHex(tdesEncryptCbc(key, iv, data)), label).toBe(nodeTdes('enc', key, iv, data));
      expect(bytesToHex(tdesDecryptCbc(key, iv, data)), label).toBe(nodeTdes('dec', key, iv, data));
    }
  });

  it('does not modify its inputs', () => {
    const key = h('0123456789abcdef23456789abcdef01');
    const iv = h('1234567890abcdef');
    const data = h('00112233445566778899aabbccddeeff');
    tdesEncryptCbc(key, iv, data);
    tdesDecryptCbc(key, iv, data);
    tdesEncryptEcb(key, data);
    expect(bytesToHex(data)).toBe('00112233445566778899aabbccddeeff');
    expect(bytesToHex(iv)).toBe('1234567890abcdef');
  });

  it('rejects bad key, IV and data lengths', () => {
    expectError(() => tdesEncryptEcb(new Uint8Array(8), new Uint8Array(8)), RangeError, '"key" expected 16 or 24 bytes (TDEA keying option 2 or 1), got 8');
    expectError(() => tdesEncryptEcb(new Uint8Array(16), new Uint8Array(7)), RangeError, '"data" expected a multiple of 8 bytes, got 7');
    expectError(() => tdesEncryptCbc(new Uint8Array(16), new Uint8Array(16), new Uint8Array(8)), RangeError, '"iv" expected 8 bytes, got 16');
  });
});

describe('ISO/IEC 9797-1 MACs and padding', () => {
  it('full TDES MAC (algorithm 1) is the last block of TDEA-CBC, with and without an ICV', () => {
    for (let i = 0; i < 30; i++) {
      const key = new Uint8Array(randomBytes(16));
      const icv = new Uint8Array(randomBytes(8));
      const data = new Uint8Array(randomBytes(8 * (1 + (i % 4))));
      const cbc = nodeTdes('enc', key, new Uint8Array(8), data);
      expect(bytesToHex(fullTdesMac(key, data))).toBe(cbc.slice(-16));
      expect(bytesToHex(fullTdesMac(key, data, icv))).toBe(nodeTdes('enc', key, icv, data).slice(-16));
    }
  });

  it('retail MAC (algorithm 3) is a single-DES CBC chain under K1 with the last output D_K2 then E_K1', () => {
    for (let i = 0; i < 30; i++) {
      const key = new Uint8Array(randomBytes(16));
      const icv = new Uint8Array(randomBytes(8));
      const data = new Uint8Array(randomBytes(8 * (1 + (i % 4))));
      // Independent construction over OpenSSL: DES-CBC under K1 (des-ede3-cbc with K1=K2=K3),
      // then the final block through TDEA-ECB (E_K1 D_K2 E_K1 of the chain's last input equals
      // D_K2/E_K1 applied to the last single-DES output).
      const k1x3 = new Uint8Array(24);
      for (let j = 0; j < 3; j++) k1x3.set(key.subarray(0, 8), 8 * j);
      const chain = h(nodeTdes('enc', k1x3, icv, data));
      const prev = data.length === 8 ? icv : chain.subarray(data.length - 16, data.length - 8);
      const lastIn = data.subarray(data.length - 8).map((b, j) => b ^ prev[j]!);
      const expected = nodeTdes('enc', key, null, lastIn);
      expect(bytesToHex(retailMac(key, data, icv))).toBe(expected);
    }
  });

  it('rejects MAC inputs that are not whole blocks', () => {
    expectError(() => retailMac(new Uint8Array(16), new Uint8Array(0)), RangeError, '"data" expected at least one 8-byte block, got 0 bytes');
    expectError(() => fullTdesMac(new Uint8Array(16), new Uint8Array(9)), RangeError, '"data" expected a multiple of 8 bytes, got 9');
    expectError(() => retailMac(new Uint8Array(24), new Uint8Array(8)), RangeError, '"key" expected 16 bytes, got 24');
  });

  it('pad80 always pads (ISO/IEC 9797-1 method 2) and unpad80 inverts it', () => {
    expect(bytesToHex(pad80(new Uint8Array(0), 8))).toBe('8000000000000000');
    expect(bytesToHex(pad80(h('01020304050607'), 8))).toBe('0102030405060780');
    expect(bytesToHex(pad80(h('0102030405060708'), 8))).toBe('01020304050607088000000000000000');
    expect(pad80(new Uint8Array(17), 16).length).toBe(32);
    for (let n = 0; n <= 40; n++) {
      const data = new Uint8Array(randomBytes(n));
      for (const bs of [8, 16]) expect(bytesToHex(unpad80(pad80(data, bs), bs)!)).toBe(bytesToHex(data));
    }
  });

  it('unpad80 answers undefined for bad padding', () => {
    expect(unpad80(new Uint8Array(0), 8)).toBeUndefined();
    expect(unpad80(h('0102030405060708'), 8)).toBeUndefined(); // no 80
    expect(unpad80(h('01020304050680'), 8)).toBeUndefined(); // not a multiple of the block
    expect(unpad80(h('0000000000000000'), 8)).toBeUndefined(); // all zeros
    expect(unpad80(h('80000000000000000000000000000000'), 8)).toBeUndefined(); // padding longer than a block
    expect(unpad80(h('0102030405060781'), 8)).toBeUndefined();
    expect(bytesToHex(unpad80(h('8000000000000000'), 8)!)).toBe('');
  });
});
