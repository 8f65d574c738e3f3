// c2..c5 (TS 33.102 §6.8.1.2) and GSM-MILENAGE (TS 55.205 §4).
import { describe, expect, it } from 'vitest';
import { c2, c3, c4, c5, f2345, gsmMilenage } from '../../card/algorithms/index.js';
import { bytesToHex as hex } from '../../card/runtime/bytes.js';
import { expectError, gsmMilenageSets, h, prng, xorAndComp128 } from './vectors.js';

describe('c2', () => {
  it('XORs the four 4-byte parts of a 16-byte RES', () => {
    const v = xorAndComp128().xor3g;
    expect(hex(c2(h(v.res)))).toBe(v.sres);
    expect(hex(c2(h('0102030410203040a0b0c0d00a0b0c0d')))).toBe('bb99ff99');
  });

  it('pads a shorter RES with zeros to 16 bytes', () => {
    const rnd = prng(2);
    for (let len = 4; len <= 16; len++) {
      const res = rnd(len);
      const padded = new Uint8Array(16);
      padded.set(res);
      expect(c2(res), `length ${len}`).toEqual(c2(padded));
    }
    expect(hex(c2(h('a54211d5e3ba50bf')))).toBe('46f8416a'); // 8-byte RES: RES1 ⊕ RES2
    expect(hex(c2(h('a54211d5ff')))).toBe('5a4211d5'); // 5 bytes: the lone byte lands on byte 0
    expect(hex(c2(h('a54211d5')))).toBe('a54211d5');
  });

  it('rejects RES outside 4..16 bytes', () => {
    expectError(() => c2(new Uint8Array(3)), RangeError, '"res" expected 4..16 bytes, got 3');
    expectError(() => c2(new Uint8Array(17)), RangeError, '"res" expected 4..16 bytes, got 17');
  });
});

describe('c3, c4, c5', () => {
  it('c3 gives the XOR-3G vector Kc from its CK and IK', () => {
    const v = xorAndComp128().xor3g;
    expect(hex(c3(h(v.ck), h(v.ik)))).toBe(v.kc);
  });

  it('c3 is CK1 ⊕ CK2 ⊕ IK1 ⊕ IK2', () => {
    const ck = h('0102030405060708 1112131415161718');
    const ik = h('2122232425262728 4142434445464748');
    expect(hex(c3(ck, ik))).toBe('7070707070707070');
  });

  it('c4 and c5 build CK and IK from Kc, and c3 undoes them', () => {
    const kc = h('0011223344556677');
    expect(hex(c4(kc))).toBe('00112233445566770011223344556677');
    expect(hex(c5(kc))).toBe('44444444' + '0011223344556677' + '44444444');
    const rnd = prng(3);
    for (let i = 0; i < 20; i++) {
      const k = rnd(8);
      expect(c3(c4(k), c5(k))).toEqual(k);
    }
  });

  it('rejects bad lengths', () => {
    expectError(() => c3(new Uint8Array(16), new Uint8Array(8)), RangeError, '"ik" expected 16 bytes, got 8');
    expectError(() => c4(new Uint8Array(16)), RangeError, '"kc" expected 8 bytes, got 16');
    expectError(() => c5(new Uint8Array(7)), RangeError, '"kc" expected 8 bytes, got 7');
  });
});

describe('GSM-MILENAGE (TS 55.205)', () => {
  const sets = gsmMilenageSets();
  it('has its test sets', () => expect(sets.length).toBe(3));
  for (const [i, s] of sets.entries()) {
    it(`set ${i + 1}: SRES#1, SRES#2 and Kc`, () => {
      const one = gsmMilenage(h(s.k), h(s.opc), h(s.rand));
      const two = gsmMilenage(h(s.k), { opc: h(s.opc) }, h(s.rand), 2);
      expect([hex(one.sres), hex(two.sres), hex(one.kc), hex(two.kc)]).toEqual([s.sres1, s.sres2, s.kc, s.kc]);
    });
    it(`set ${i + 1}: equals c2/c3 over f2..f4 (a USIM in the GSM context)`, () => {
      const { res, ck, ik } = f2345(h(s.k), h(s.opc), h(s.rand));
      const g = gsmMilenage(h(s.k), h(s.opc), h(s.rand));
      expect(g.sres).toEqual(c2(res));
      expect(g.kc).toEqual(c3(ck, ik));
    });
  }

  it('rejects a bad Ki and an unknown SRES derivation', () => {
    const s = sets[0]!;
    expectError(() => gsmMilenage(new Uint8Array(15), h(s.opc), h(s.rand)), RangeError, '"ki" expected 16 bytes, got 15');
    expectError(
      () => gsmMilenage(h(s.k), h(s.opc), h(s.rand), 3 as 1),
      RangeError,
      '"sresDerivation" expected 1..2, got 3',
    );
  });
});
