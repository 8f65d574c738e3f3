// XOR test algorithms: 2G (TS 51.010-1 A.4.1.2) and 3G (TS 34.108 §8.1.2).
import { describe, expect, it } from 'vitest';
import {
  c2,
  c3,
  generateAuthVector,
  openAuts,
  buildAuts,
  openAutn,
  xor2g,
  xor3g,
  xor3gAka,
  xor3gF2345,
} from '../../card/algorithms/index.js';
import { bytesToHex as hex } from '../../card/runtime/bytes.js';
import { expectError, h, xorAndComp128 } from './vectors.js';

const v = xorAndComp128();

describe('XOR-2G', () => {
  it('matches the shared vector', () => {
    const r = xor2g(h(v.xor2g.ki), h(v.xor2g.rand));
    expect([hex(r.sres), hex(r.kc)]).toEqual([v.xor2g.sres, v.xor2g.kc]);
  });
  it('takes SRES from bytes 0..3 and Kc from bytes 4..11 of Ki ⊕ RAND', () => {
    const r = xor2g(h('ff'.repeat(16)), h('000102030405060708090a0b0c0d0e0f'));
    expect([hex(r.sres), hex(r.kc)]).toEqual(['fffefdfc', 'fbfaf9f8f7f6f5f4']);
  });
  it('rejects bad lengths', () => {
    expectError(() => xor2g(new Uint8Array(15), new Uint8Array(16)), RangeError, '"ki" expected 16 bytes, got 15');
  });
});

describe('XOR-3G', () => {
  const x = v.xor3g;
  const [k, rand, sqn, amf] = [h(x.k), h(x.rand), h(x.sqn), h(x.amf)];

  it('matches the shared vector: RES, CK, IK, and SRES/Kc through c2/c3', () => {
    const o = xor3g(k, rand, sqn, amf);
    expect([hex(o.res), hex(o.ck), hex(o.ik)]).toEqual([x.res, x.ck, x.ik]);
    expect(hex(c2(o.res))).toBe(x.sres);
    expect(hex(c3(o.ck, o.ik))).toBe(x.kc);
  });

  it('forms AUTN = (SQN ⊕ AK) || AMF || MAC as in the shared vector', () => {
    const av = generateAuthVector(xor3gAka(k), rand, sqn, amf);
    expect(hex(av.autn)).toBe(x.autn);
    expect(hex(av.xres)).toBe(x.res);
    const o = xor3g(k, rand, sqn, amf);
    expect(hex(o.ak)).toBe(x.autn.slice(0, 12)); // SQN = 0, so the first 6 bytes are AK
    expect(hex(o.macA)).toBe(x.autn.slice(16));
  });

  it('uses SQN and AMF in the MAC and AK in AUTN', () => {
    const sqn2 = h('0000000012e0');
    const amf2 = h('8000');
    const av = generateAuthVector(xor3gAka(k), rand, sqn2, amf2);
    const ak = h(x.autn.slice(0, 12));
    const expectedConc = ak.map((b, i) => b ^ sqn2[i]!);
    expect(hex(av.autn.subarray(0, 6))).toBe(hex(expectedConc));
    expect(hex(av.autn.subarray(6, 8))).toBe('8000');
    const xd = h(x.res); // XDOUT
    const mac = new Uint8Array(8).map((_, i) => xd[i]! ^ (i < 6 ? sqn2[i]! : amf2[i - 6]!));
    expect(hex(av.autn.subarray(8))).toBe(hex(mac));
    const opened = openAutn(xor3gAka(k), rand, av.autn);
    expect(opened.macOk).toBe(true);
    expect(hex(opened.sqn)).toBe('0000000012e0');
  });

  it('supports RES lengths 4..16 bytes (a prefix of XDOUT)', () => {
    for (let n = 4; n <= 16; n++) {
      expect(hex(xor3gF2345(k, rand, n).res)).toBe(x.res.slice(0, 2 * n));
      expect(hex(xor3gAka(k, n).f2345(rand).res)).toBe(x.res.slice(0, 2 * n));
    }
    expectError(() => xor3gF2345(k, rand, 3), RangeError, '"resLength" expected 4..16, got 3');
    expectError(() => xor3gAka(k, 17), RangeError, '"resLength" expected 4..16, got 17');
  });

  it('AUTS round trip (AK* = AK, MAC-S over the dummy AMF)', () => {
    const aka = xor3gAka(k);
    const auts = buildAuts(aka, rand, 0x123456789a);
    const opened = openAuts(aka, rand, auts);
    expect(opened).toMatchObject({ sqnMsValue: 0x123456789a, macOk: true });
  });

  it('rejects bad lengths', () => {
    expectError(() => xor3g(new Uint8Array(16), rand, sqn, new Uint8Array(1)), RangeError, '"amf" expected 2 bytes, got 1');
    expectError(() => xor3gAka(new Uint8Array(32)), RangeError, '"k" expected 16 bytes, got 32');
  });
});
