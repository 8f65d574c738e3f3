// AUTN (TS 33.102 §6.3.2/§6.3.3) and AUTS (§6.3.3/§6.3.5) over MILENAGE. Second-source values:
// osmocom libosmocore tests/auth/milenage_test.{c,ok} (K = OPc = 00..0f, RAND = 0).
import { describe, expect, it } from 'vitest';
import {
  AUTS_LENGTH,
  buildAuts,
  c2,
  c3,
  generateAuthVector,
  milenage,
  milenageAka,
  openAuts,
  openAutn,
  sqnToBytes,
} from '../../card/algorithms/index.js';
import { bytesToHex as hex } from '../../card/runtime/bytes.js';
import { expectError, h, milenageSets, prng } from './vectors.js';

const K = h('000102030405060708090a0b0c0d0e0f');
const RAND0 = new Uint8Array(16);

describe('AUTN', () => {
  it('matches osmocom: SQN = 34, AMF = 0000', () => {
    const av = generateAuthVector(milenageAka(K, K), RAND0, sqnToBytes(34), h('0000'));
    expect(hex(av.autn)).toBe('ec9320c2c2120000c8b7de2a3449f1bd');
    expect(hex(av.xres)).toBe('e9fc88ccc8a35381');
    expect(hex(av.ck)).toBe('7200a184d8f2c758fbdf87900ddbf275');
    expect(hex(av.ik)).toBe('12cb2dd3e0ec8378f6fc1d606c619f47');
    expect(hex(c2(av.xres))).toBe('215fdb4d');
    expect(hex(c3(av.ck, av.ik))).toBe('6de816a759a42912');
  });

  it('builds AUTN from the TS 35.207 f1 and f5 outputs', () => {
    for (const s of milenageSets()) {
      const av = generateAuthVector(milenageAka(h(s.k), { op: h(s.op) }), h(s.rand), h(s.sqn), h(s.amf));
      const conc = h(s.sqn).map((b, i) => b ^ h(s.f5)[i]!);
      expect(hex(av.autn)).toBe(hex(conc) + s.amf + s.f1);
    }
  });

  it('USIM opens a genuine AUTN and detects any tampered bit', () => {
    const aka = milenageAka(K, { op: new Uint8Array(16) });
    const rnd = prng(6332);
    for (let i = 0; i < 20; i++) {
      const [rand, sqn, amf] = [rnd(16), rnd(6), rnd(2)];
      const av = generateAuthVector(aka, rand, sqn, amf);
      const ok = openAutn(aka, rand, av.autn);
      expect(ok.macOk).toBe(true);
      expect(ok.sqn).toEqual(sqn);
      expect(ok.amf).toEqual(amf);
      expect(ok.res).toEqual(av.xres);
      const bad = av.autn.slice();
      const bit = i % 128;
      bad[bit >> 3]! ^= 1 << (bit & 7);
      expect(openAutn(aka, rand, bad).macOk, `bit ${bit}`).toBe(false);
    }
  });

  it('rejects a bad AUTN length', () => {
    expectError(() => openAutn(milenageAka(K, K), RAND0, new Uint8Array(15)), RangeError, '"autn" expected 16 bytes, got 15');
  });
});

describe('AUTS', () => {
  it('matches osmocom: SQN_MS = 31 → 8711a0ec9e16 || 37df17f80b384ee4', () => {
    const aka = milenageAka(K, K);
    const auts = buildAuts(aka, RAND0, 31);
    expect(hex(auts)).toBe('8711a0ec9e1637df17f80b384ee4');
    expect(auts.length).toBe(AUTS_LENGTH);
    const opened = openAuts(aka, RAND0, auts);
    expect(opened.macOk).toBe(true);
    expect(opened.sqnMsValue).toBe(31);
    expect(hex(opened.sqnMs)).toBe('00000000001f');
  });

  it('is (SQN_MS ⊕ f5*) || f1*(SQN_MS, RAND, AMF = 0000)', () => {
    const s = milenageSets()[2]!;
    const [k, opc, rand] = [h(s.k), h(s.opc), h(s.rand)];
    const sqnMs = h('0000a1b2c3e5');
    const auts = buildAuts(milenageAka(k, opc), rand, sqnMs);
    const ref = milenage(k, opc, rand, sqnMs, h('0000'));
    expect(hex(auts.subarray(0, 6))).toBe(hex(sqnMs.map((b, i) => b ^ h(s.f5star)[i]!)));
    expect(hex(auts.subarray(6))).toBe(hex(ref.macS));
  });

  it('round trips 48-bit SQN_MS values, and a tampered AUTS or wrong RAND fails MAC-S', () => {
    const aka = milenageAka(K, { op: K });
    const rnd = prng(6335);
    for (const sqnMs of [0, 1, 2 ** 32 - 1, 2 ** 32, 2 ** 47 + 12345, 2 ** 48 - 1]) {
      const rand = rnd(16);
      const auts = buildAuts(aka, rand, sqnMs);
      expect(openAuts(aka, rand, auts)).toMatchObject({ macOk: true, sqnMsValue: sqnMs });
      const bad = auts.slice();
      bad[13]! ^= 0x80;
      expect(openAuts(aka, rand, bad).macOk).toBe(false);
      const badConc = auts.slice();
      badConc[0]! ^= 0x01;
      expect(openAuts(aka, rand, badConc).macOk).toBe(false);
      expect(openAuts(aka, rnd(16), auts).macOk).toBe(false);
    }
  });

  it('rejects bad inputs', () => {
    const aka = milenageAka(K, K);
    expectError(() => buildAuts(aka, RAND0, 2 ** 48), RangeError, '"sqn" expected 0..281474976710655, got 281474976710656');
    expectError(() => buildAuts(aka, RAND0, new Uint8Array(5)), RangeError, '"sqnMs" expected 6 bytes, got 5');
    expectError(() => openAuts(aka, RAND0, new Uint8Array(16)), RangeError, '"auts" expected 14 bytes, got 16');
  });
});
