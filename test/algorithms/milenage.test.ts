// MILENAGE (TS 35.206) against the implementers' test data of TS 35.207, plus a second source
// (osmocom libosmocore tests/auth/milenage_test.ok) for OP→OPc with OP = 0.
import { describe, expect, it } from 'vitest';
import {
  AUTN_SCRATCH,
  computeOpc,
  f1,
  f1star,
  f2,
  f2345,
  f3,
  f4,
  f5,
  f5star,
  kernelMilenage,
  kernelOpenAutnAt,
  kernelOpenAutnInto,
  milenage,
  milenageAka,
  milenageKernel,
  resolveOpc,
} from '../../card/algorithms/index.js';
import { bytesToHex as hex } from '../../card/runtime/bytes.js';
import { expectError, h, milenageSets, prng } from './vectors.js';

const sets = milenageSets();

describe('milenage: TS 35.207 test sets', () => {
  it('has the six test sets', () => {
    expect(sets.map((s) => s.set)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  for (const s of sets) {
    const [k, rand, sqn, amf, op, opc] = [h(s.k), h(s.rand), h(s.sqn), h(s.amf), h(s.op), h(s.opc)];

    it(`set ${s.set}: OPc from OP`, () => {
      expect(hex(computeOpc(k, op))).toBe(s.opc);
      expect(hex(resolveOpc(k, { op }))).toBe(s.opc);
      expect(hex(resolveOpc(k, { opc }))).toBe(s.opc);
    });

    it(`set ${s.set}: milenage() with OPc, { opc } and { op }`, () => {
      for (const variant of [opc, { opc }, { op }]) {
        const o = milenage(k, variant, rand, sqn, amf);
        expect({
          f1: hex(o.macA),
          f1star: hex(o.macS),
          f2: hex(o.res),
          f3: hex(o.ck),
          f4: hex(o.ik),
          f5: hex(o.ak),
          f5star: hex(o.akStar),
        }).toEqual({ f1: s.f1, f1star: s.f1star, f2: s.f2, f3: s.f3, f4: s.f4, f5: s.f5, f5star: s.f5star });
      }
    });

    it(`set ${s.set}: the separate functions`, () => {
      expect(hex(f1(k, opc, rand, sqn, amf))).toBe(s.f1);
      expect(hex(f1star(k, { op }, rand, sqn, amf))).toBe(s.f1star);
      expect(hex(f2(k, opc, rand))).toBe(s.f2);
      expect(hex(f3(k, opc, rand))).toBe(s.f3);
      expect(hex(f4(k, opc, rand))).toBe(s.f4);
      expect(hex(f5(k, opc, rand))).toBe(s.f5);
      expect(hex(f5star(k, opc, rand))).toBe(s.f5star);
      const r = f2345(k, { op }, rand);
      expect([hex(r.res), hex(r.ck), hex(r.ik), hex(r.ak)]).toEqual([s.f2, s.f3, s.f4, s.f5]);
    });

    it(`set ${s.set}: kernel and AkaFunctions forms`, () => {
      const m = milenageKernel(k, { op });
      expect(hex(m.opc)).toBe(s.opc);
      expect(hex(kernelMilenage(m, rand, sqn, amf).macS)).toBe(s.f1star);
      const aka = milenageAka(k, opc);
      expect(aka.algorithm).toBe('milenage');
      expect(hex(aka.f1(rand, sqn, amf).macA)).toBe(s.f1);
      expect(hex(aka.f2345(rand).ck)).toBe(s.f3);
      expect(hex(aka.f5star(rand))).toBe(s.f5star);
    });
  }
});

describe('milenage: further properties', () => {
  it('OPc for OP = 0, K = 00..0f (osmocom milenage_test.ok)', () => {
    expect(hex(computeOpc(h('000102030405060708090a0b0c0d0e0f'), new Uint8Array(16)))).toBe(
      'c6a13b37878f5b826f4f8162a1c8d879',
    );
  });

  // Guards the single-TEMP / shared-OUT2 optimisation of milenage() against the one-function-each path.
  it('milenage() equals the separate functions on random inputs', () => {
    const rnd = prng(35206);
    for (let i = 0; i < 50; i++) {
      const [k, opc, rand, sqn, amf] = [rnd(16), rnd(16), rnd(16), rnd(6), rnd(2)];
      const all = milenage(k, opc, rand, sqn, amf);
      expect(all.macA).toEqual(f1(k, opc, rand, sqn, amf));
      expect(all.macS).toEqual(f1star(k, opc, rand, sqn, amf));
      expect(all.res).toEqual(f2(k, opc, rand));
      expect(all.ck).toEqual(f3(k, opc, rand));
      expect(all.ik).toEqual(f4(k, opc, rand));
      expect(all.ak).toEqual(f5(k, opc, rand));
      expect(all.akStar).toEqual(f5star(k, opc, rand));
    }
  });

  // Guards the allocation-free AUTN opening of USIM AUTHENTICATE (issue 20) against milenage():
  // every output byte at its offset, the MAC verdict for a good and for each single-bit-flipped AUTN.
  it('kernelOpenAutnInto equals milenage() on the 3GPP sets and random inputs; MAC-A checked', () => {
    const rnd = prng(20);
    const S = AUTN_SCRATCH;
    const inputs = [
      ...sets.map((t) => [h(t.k), h(t.opc), h(t.rand), h(t.sqn), h(t.amf)] as const),
      ...Array.from({ length: 40 }, () => [rnd(16), rnd(16), rnd(16), rnd(6), rnd(2)] as const),
    ];
    for (const [n, [k, opc, rand, sqn, amf]] of inputs.entries()) {
      const all = milenage(k, opc, rand, sqn, amf);
      const autn = Uint8Array.from([...sqn.map((b, i) => b ^ all.ak[i]!), ...amf, ...all.macA]);
      const m = milenageKernel(k, opc);
      const scratch = new Uint8Array(S.length).fill(0xee);
      expect(kernelOpenAutnInto(m, rand, autn, scratch)).toBe(true);
      expect(hex(scratch.subarray(S.sqn, S.sqn + 6))).toBe(hex(sqn));
      expect(hex(scratch.subarray(S.res, S.res + 8))).toBe(hex(all.res));
      expect(hex(scratch.subarray(S.out2, S.out2 + 6))).toBe(hex(all.ak));
      expect(hex(scratch.subarray(S.ck, S.ck + 16))).toBe(hex(all.ck));
      expect(hex(scratch.subarray(S.ik, S.ik + 16))).toBe(hex(all.ik));
      expect(hex(scratch.subarray(S.out1, S.out1 + 16))).toBe(hex(all.macA) + hex(all.macS));
      const bad = autn.slice();
      bad[n % 16]! ^= 1 << (n % 8); // SQN, AMF or MAC: each changes MAC-A or the compared MAC
      expect(kernelOpenAutnInto(m, rand, bad, scratch)).toBe(false);
      // The offset form over a command-shaped buffer (10 RAND 10 AUTN) gives the same bytes.
      const data = Uint8Array.from([16, ...rand, 16, ...autn]);
      const at = new Uint8Array(S.length).fill(0x11);
      expect(kernelOpenAutnAt(m, data, 1, data, 18, at)).toBe(true);
      expect(kernelOpenAutnInto(m, rand, autn, scratch)).toBe(true);
      expect(hex(at)).toBe(hex(scratch));
      data[18 + (n % 16)]! ^= 1 << (n % 8);
      expect(kernelOpenAutnAt(m, data, 1, data, 18, at)).toBe(false);
    }
    const d34 = new Uint8Array(34);
    expectError(() => kernelOpenAutnAt(milenageKernel(rnd(16), rnd(16)), d34, 1, d34, 19, new Uint8Array(S.length)), RangeError, '"autn" expected 16 bytes at offset 19, got 34 bytes in all');
    expectError(() => kernelOpenAutnAt(milenageKernel(rnd(16), rnd(16)), d34, -1, d34, 18, new Uint8Array(S.length)), RangeError, '"rand" expected 16 bytes at offset -1, got 34 bytes in all');
    expectError(() => kernelOpenAutnInto(milenageKernel(rnd(16), rnd(16)), rnd(16), rnd(15), new Uint8Array(S.length)), RangeError, '"autn" expected 16 bytes, got 15');
    expectError(() => kernelOpenAutnInto(milenageKernel(rnd(16), rnd(16)), rnd(16), rnd(16), new Uint8Array(S.length - 1)), RangeError, '"scratch" expected 86 bytes, got 85');
  });

  it('the kernel keeps its own copy of OPc', () => {
    const s = sets[0]!;
    const opc = h(s.opc);
    const m = milenageKernel(h(s.k), opc);
    opc.fill(0);
    expect(hex(kernelMilenage(m, h(s.rand), h(s.sqn), h(s.amf)).res)).toBe(s.f2);
  });

  it('rejects bad lengths and shapes', () => {
    const z = (n: number): Uint8Array => new Uint8Array(n);
    expectError(() => milenage(z(15), z(16), z(16), z(6), z(2)), RangeError, '"k" expected 16 bytes, got 15');
    expectError(() => milenage(z(16), z(17), z(16), z(6), z(2)), RangeError, '"opc" expected 16 bytes, got 17');
    expectError(() => milenage(z(16), { op: z(8) }, z(16), z(6), z(2)), RangeError, '"op" expected 16 bytes, got 8');
    expectError(() => milenage(z(16), z(16), z(15), z(6), z(2)), RangeError, '"rand" expected 16 bytes, got 15');
    expectError(() => milenage(z(16), z(16), z(16), z(8), z(2)), RangeError, '"sqn" expected 6 bytes, got 8');
    expectError(() => f1(z(16), z(16), z(16), z(6), z(3)), RangeError, '"amf" expected 2 bytes, got 3');
    expectError(() => computeOpc(z(16), z(0)), RangeError, '"op" expected 16 bytes, got 0');
    expectError(
      () => f2(z(16), {} as unknown as Uint8Array, z(16)),
      TypeError,
      '"opc" expected Uint8Array, { op } or { opc }, got object',
    );
  });
});
