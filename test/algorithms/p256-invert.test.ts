/**
 * Issue 20: the signing path's k⁻¹ mod n (and z⁻¹ mod p) is Lehmer's extended Euclid
 * (card/algorithms/p256-comb.ts invMod) instead of noble's `invert`, and the integer ↔ bytes
 * conversions work 32 bits at a time. Both must give exactly the old values: compared with noble's
 * field inversion and with the byte-at-a-time conversions on random and edge inputs.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { p256 } from '@noble/curves/nist.js';
import { invMod, invN, invP, N, P } from '../../card/algorithms/p256-comb.js';
import { bigToBytes, bytesToBig } from '../../card/algorithms/index.js';

const Fn = p256.Point.Fn;
const Fp = p256.Point.Fp;
const big256 = fc.bigInt({ min: 1n, max: (1n << 256n) - 1n });

function edges(m: bigint): bigint[] {
  const out = [1n, 2n, 3n, 7n, 0xffffffffn, 1n << 52n, (1n << 52n) + 1n, (1n << 53n) - 1n, m >> 1n, (m >> 1n) + 1n, m - 1n, m - 2n, m - (1n << 52n)];
  for (let b = 1n; b < 256n; b += 17n) out.push((1n << b) % m || 1n);
  // m/φ and its neighbours: Euclid quotients all 1 for a long run (the longest runs, the largest cofactors).
  const phi = (m * 618033988749894848204586834365638117720309179805762862135n) / 10n ** 57n;
  for (let d = -3n; d <= 3n; d++) out.push(phi + d);
  return out;
}

describe('invMod (Lehmer) equals noble’s inversion', () => {
  it('mod n and mod p on 3,000 random values each', () => {
    fc.assert(
      fc.property(big256, (v) => {
        const kn = (v % (N - 1n)) + 1n;
        const kp = (v % (P - 1n)) + 1n;
        expect(invN(kn)).toBe(Fn.inv(kn));
        expect(invP(kp)).toBe(Fp.inv(kp));
        expect((invN(kn) * kn) % N).toBe(1n);
      }),
      { numRuns: 3000 },
    );
  });

  it('on edge values (1, 2, small, around 2^52, n−1, n/2, powers of two)', () => {
    for (const [m, ref] of [[N, (x: bigint) => Fn.inv(x)], [P, (x: bigint) => Fp.inv(x)]] as const) {
      for (const k of edges(m)) expect(invMod(k, m), `${k} mod ${m === N ? 'n' : 'p'}`).toBe(ref(k));
    }
  });

  it('refuses 0, m and beyond, and non-invertible values', () => {
    for (const bad of [0n, N, N + 1n, -1n]) expect(() => invN(bad)).toThrow(RangeError);
    expect(() => invMod(6n, 9n)).toThrow('not invertible');
    expect(invMod(4n, 9n)).toBe(7n);
  });
});

describe('bytesToBig / bigToBytes (32 bits at a time) equal the byte loop', () => {
  const refToBig = (b: Uint8Array): bigint => b.reduce((v, x) => (v << 8n) | BigInt(x), 0n);
  const refToBytes = (v: bigint, len: number): Uint8Array => {
    const out = new Uint8Array(len);
    for (let i = len - 1; i >= 0; i--, v >>= 8n) out[i] = Number(v & 0xffn);
    return out;
  };
  it('for every length 0..70, and the low bytes of a longer integer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 70 }), fc.nat(70), (b, len) => {
        const v = bytesToBig(b);
        expect(v).toBe(refToBig(b));
        expect(bigToBytes(v, b.length)).toEqual(b);
        expect(bigToBytes(v, len)).toEqual(refToBytes(v, len));
      }),
      { numRuns: 2000 },
    );
  });
});
