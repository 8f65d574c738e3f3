/**
 * The host's secure-channel primitives (host/gp/crypto.ts, on node:crypto) against published
 * vectors: AES-CMAC from RFC 4493 §4 (= NIST SP 800-38B appendix D.1) and SP 800-38B D.2/D.3
 * (AES-192/256), the SP 800-108 counter-mode KDF from NIST CAVP KBKDF (KDFCTR_gen.rsp, PRF
 * CMAC_AES128 / CMAC_AES192, CTRLOCATION=MIDDLE_FIXED, RLEN=8_BITS, COUNT=0), and the SCP02/SCP03
 * key check values from GlobalPlatformPro's TestPlaintextKeys and pySim's test_globalplatform.py.
 */
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../../card/runtime/index.js';
import { aesCmac, kcvAes, kcvDes, kdfCounterCmac, pad80, retailMac, tdesCbc, tdesEcb, unpad80 } from '../../host/gp/crypto.js';

const h = hexToBytes;
const RFC4493_KEY = h('2b7e151628aed2a6abf7158809cf4f3c');
const MSG = h('6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710');

describe('AES-CMAC', () => {
  it('RFC 4493 §4 examples 1-4 (lengths 0, 16, 40, 64)', () => {
    expect(bytesToHex(aesCmac(RFC4493_KEY, new Uint8Array(0)))).toBe('bb1d6929e95937287fa37d129b756746');
    expect(bytesToHex(aesCmac(RFC4493_KEY, MSG.subarray(0, 16)))).toBe('070a16b46b4d4144f79bdd9dd04a287c');
    expect(bytesToHex(aesCmac(RFC4493_KEY, MSG.subarray(0, 40)))).toBe('dfa66747de9ae63030ca32611497c827');
    expect(bytesToHex(aesCmac(RFC4493_KEY, MSG))).toBe('51f0bebf7e3b9d92fc49741779363cfe');
  });

  it('NIST SP 800-38B D.2 (AES-192) and D.3 (AES-256), 64-byte message', () => {
    expect(bytesToHex(aesCmac(h('8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b'), MSG))).toBe('a1d5df0eed790f794d77589659f39a11');
    expect(bytesToHex(aesCmac(h('603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4'), MSG))).toBe('e1992190549f6ed5696a2c056c315410');
  });
});

describe('SP 800-108 counter-mode KDF with AES-CMAC (the SCP03 KDF)', () => {
  it('CAVP KDFCTR CMAC_AES128 MIDDLE_FIXED 8_BITS COUNT=0', () => {
    const ko = kdfCounterCmac(h('b6e04abd1651f8794d4326f4c684e631'), h('93612f7256c46a3d856d3e951e32dbf15fe11159d0b389ad38d603850fee6d18d22031435ed36ee20da76745fbea4b10fe1e'), h('99322aae605a5f01e32b'), 16);
    expect(bytesToHex(ko)).toBe('dcb1db87a68762c6b3354779fa590bef');
  });

  it('CAVP KDFCTR CMAC_AES192 MIDDLE_FIXED 8_BITS COUNT=0', () => {
    const ko = kdfCounterCmac(h('e09079196120accdf43293f3593e692481391080e233f40b'), h('0ec4fb9f0b4c59bbcbbf2c85466f92e1631cac32827e0485b6c56ba2ba5e72252f3c0895fd48ffbe18735d5c8d9a15c3985f'), h('9a1a87dfa1698b60d0a0'), 16);
    expect(bytesToHex(ko)).toBe('2233d0566417bb549d3d5e9e28673168');
  });

  it('refuses an output the 8-bit counter cannot reach', () => {
    expect(() => kdfCounterCmac(new Uint8Array(16), new Uint8Array(0), new Uint8Array(0), 256 * 16)).toThrow(RangeError);
  });
});

describe('DES building blocks and check values', () => {
  it('KCVs: AES over 01*16 (pySim SCP03_KCV_Test), 3DES over 00*8 (FIPS 81 / SP 800-67 check by a known key)', () => {
    expect(bytesToHex(kcvAes(h('000102030405060708090a0b0c0d0e0f')))).toBe('c35280');
    expect(bytesToHex(kcvAes(h('101112131415161718191a1b1c1d1e1f')))).toBe('013808');
    expect(bytesToHex(kcvAes(h('202122232425262728292a2b2c2d2e2f')))).toBe('840de5');
    // GlobalPlatformPro TestPlaintextKeys.testSessionKeys_SCP02 lists session keys by 3DES KCV; the
    // well-known key's own KCV is the one every GP tool prints for 404142…4F.
    expect(bytesToHex(kcvDes(h('404142434445464748494a4b4c4d4e4f')))).toBe('8baf47');
  });

  it('single DES by 3DES with equal halves: FIPS 81 appendix B ECB example; the retail MAC with K1 = K2 is DES CBC-MAC', () => {
    const k = h('0123456789abcdef0123456789abcdef');
    expect(bytesToHex(tdesEcb(k, h('4e6f772069732074')))).toBe('3fa40e8a984d4815');
    // ISO 9797-1 alg. 3's final D(K2)/E(K1) cancels when K1 = K2: the last block of DES-CBC.
    const data = h('4e6f77206973207468652074696d6520666f7220616c6c');
    expect(bytesToHex(retailMac(k, data))).toBe(bytesToHex(tdesCbc(k, pad80(data, 8)).slice(-8)));
    expect(bytesToHex(retailMac(k, data))).not.toBe(bytesToHex(retailMac(h('0123456789abcdeffedcba9876543210'), data)));
  });

  it('padding method 2 round-trips and a bad pad is refused', () => {
    expect(bytesToHex(pad80(h('0102'), 8))).toBe('0102800000000000');
    expect(bytesToHex(pad80(new Uint8Array(8), 8))).toBe('00000000000000008000000000000000');
    expect(bytesToHex(unpad80(h('0102800000000000'))!)).toBe('0102');
    expect(unpad80(h('0102000000000000'))).toBeUndefined();
  });
});
