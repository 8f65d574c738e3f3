/**
 * card/algorithms/p256.ts (the applets' shared ECDSA P-256 / ECDH) and its precomputed-table
 * arithmetic (p256-comb.ts): RFC 6979 A.2.5 vectors, byte-equality with @noble/curves (keys,
 * deterministic and hedged signatures), node:crypto verifying our signatures and signing ones we
 * verify (both the cached-table and the one-off path), wrong signatures/keys rejected, ECDH
 * against node:crypto, and the mixed-addition edge cases (doubling, P + (-P), digit carries).
 */
import { describe, expect, it } from 'vitest';
import { createECDH, createHmac, createPublicKey, generateKeyPairSync, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import fc from 'fast-check';
import { p256 } from '@noble/curves/nist.js';
import {
  P256_ORDER, bigToBytes, bytesToBig, isValidPublicKey, keygen, publicKeyOf, sharedSecret, sign, signDigest, signDigestWith, verify, verifyDigest, type SignOps,
} from '../../card/algorithms/p256.js';
import { GX, GY, P, accumulate, affine, buildTable, madd, type Jac } from '../../card/algorithms/p256-comb.js';
import { sha256 } from '../../card/algorithms/sha256.js';
import { hexToBytes } from '../../card/runtime/index.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const N = P256_ORDER;

// RFC 6979 Appendix A.2.5 (ECDSA, 256 bits (prime field)), SHA-256 rows.
const A25 = {
  x: 'c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721',
  ux: '60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6',
  uy: '7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299',
  sample: { r: 'efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716', s: 'f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8' },
  test: { r: 'f1abb023518351cd71d881567b1ea663ed3efcf6c5132b354f28d3b0b7d38367', s: '019f4113742a2b14bd25926b49c649155f267e60d3814b4c0cc84250e46f0083' },
};

function nodeKey(pub: Uint8Array): ReturnType<typeof createPublicKey> {
  return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: Buffer.from(pub.subarray(1, 33)).toString('base64url'), y: Buffer.from(pub.subarray(33)).toString('base64url') }, format: 'jwk' });
}

describe('P-256 against RFC 6979 A.2.5', () => {
  const x = hexToBytes(A25.x);
  it('public key U = x·G as published (guards: wrong table digit or window base)', () => {
    expect(hex(publicKeyOf(x))).toBe('04' + A25.ux + A25.uy);
  });
  for (const m of ['sample', 'test'] as const) {
    it(`"${m}": deterministic r, s as published (high-S form), low-S = n - s when s > n/2`, () => {
      const msg = new TextEncoder().encode(m);
      expect(hex(sign(msg, x, { lowS: false }))).toBe(A25[m].r + A25[m].s);
      const low = sign(msg, x);
      const s = bytesToBig(hexToBytes(A25[m].s));
      expect(hex(low)).toBe(A25[m].r + hex(bigToBytes(s > N >> 1n ? N - s : s, 32)));
      expect(verify(hexToBytes('04' + A25.ux + A25.uy), msg, low)).toBe(true);
    });
  }
});

describe('P-256 against @noble/curves and node:crypto', () => {
  it('keygen(seed) equals noble keygen(seed); signatures equal noble p256.sign (deterministic and hedged); node verifies them', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 48, maxLength: 48 }), fc.uint8Array({ maxLength: 120 }), fc.uint8Array({ minLength: 1, maxLength: 32 }), (seed, m, extra) => {
        const ours = keygen(seed);
        const theirs = p256.keygen(seed);
        expect(hex(ours.secretKey)).toBe(hex(theirs.secretKey));
        expect(hex(ours.publicKey)).toBe(hex(theirs.publicKey.length === 65 ? theirs.publicKey : p256.getPublicKey(theirs.secretKey, false)));
        const sig = sign(m, ours.secretKey);
        expect(hex(sig)).toBe(hex(p256.sign(m, ours.secretKey)));
        expect(hex(signDigest(ours.secretKey, sha256(m), extra))).toBe(hex(p256.sign(m, ours.secretKey, { extraEntropy: extra })));
        expect(nodeVerify('sha256', m, { key: nodeKey(ours.publicKey), dsaEncoding: 'ieee-p1363' }, sig)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('verifies node:crypto signatures (random k, high and low S) through the cached table and the one-off path', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const pub = Uint8Array.from([4, ...Buffer.from(jwk.x!, 'base64url'), ...Buffer.from(jwk.y!, 'base64url')]);
    for (let i = 0; i < 40; i++) {
      const m = new TextEncoder().encode(`message ${i}`);
      const sig = new Uint8Array(nodeSign('sha256', m, { key: privateKey, dsaEncoding: 'ieee-p1363' }));
      expect(verifyDigest(pub, sha256(m), sig, true)).toBe(true);
      expect(verifyDigest(pub, sha256(m), sig, false)).toBe(true);
      expect(verifyDigest(pub, sha256(Uint8Array.of(i)), sig, true)).toBe(false);
    }
  });

  it('rejects wrong signatures, digests, keys and out-of-range r, s in both paths (guards: accepting r ≥ n, s = 0, a bit flip)', () => {
    const { secretKey, publicKey } = keygen(new Uint8Array(48).fill(5));
    const other = keygen(new Uint8Array(48).fill(6)).publicKey;
    const d = sha256(Uint8Array.of(1, 2, 3));
    const sig = signDigest(secretKey, d);
    const r = bytesToBig(sig.subarray(0, 32));
    const s = bytesToBig(sig.subarray(32));
    const mk = (rr: bigint, ss: bigint): Uint8Array => Uint8Array.from([...bigToBytes(rr, 32), ...bigToBytes(ss, 32)]);
    const offCurve = publicKey.slice();
    offCurve[64]! ^= 1;
    for (const cache of [true, false]) {
      expect(verifyDigest(publicKey, d, sig, cache)).toBe(true);
      expect(verifyDigest(publicKey, d, mk(r, N - s), cache)).toBe(true); // high-S form of the same signature
      for (let bit = 0; bit < 512; bit += 37) {
        const bad = sig.slice();
        bad[bit >> 3]! ^= 1 << (bit & 7);
        expect(verifyDigest(publicKey, d, bad, cache), `bit ${bit}`).toBe(false);
      }
      expect(verifyDigest(publicKey, sha256(Uint8Array.of(1, 2, 4)), sig, cache)).toBe(false);
      expect(verifyDigest(other, d, sig, cache)).toBe(false);
      expect(verifyDigest(offCurve, d, sig, cache)).toBe(false);
      expect(verifyDigest(new Uint8Array(65).fill(0).fill(4, 0, 1), d, sig, cache)).toBe(false);
      expect(verifyDigest(publicKey, d, mk(0n, s), cache)).toBe(false);
      expect(verifyDigest(publicKey, d, mk(r, 0n), cache)).toBe(false);
      expect(verifyDigest(publicKey, d, mk(r + N, s), cache)).toBe(false);
      expect(verifyDigest(publicKey, d, mk(r, s + N), cache)).toBe(false);
      expect(verifyDigest(publicKey, d, sig.subarray(0, 63), cache)).toBe(false);
      expect(verifyDigest(publicKey, d.subarray(0, 31), sig, cache)).toBe(false);
    }
    expect(isValidPublicKey(publicKey)).toBe(true);
    expect(isValidPublicKey(offCurve)).toBe(false);
    expect(isValidPublicKey(publicKey.subarray(0, 33))).toBe(false);
    expect(() => signDigest(new Uint8Array(32), d)).toThrow(RangeError);
    expect(() => signDigest(bigToBytes(N, 32), d)).toThrow(RangeError);
  });

  it('more verifying keys than the table cache holds: evicted keys still verify (guards: stale table after eviction)', () => {
    const pairs = Array.from({ length: 11 }, (_, i) => keygen(new Uint8Array(48).fill(40 + i)));
    const d = sha256(Uint8Array.of(9));
    for (let round = 0; round < 2; round++)
      for (const [i, k] of pairs.entries()) {
        expect(verifyDigest(k.publicKey, d, signDigest(k.secretKey, d), true)).toBe(true);
        expect(verifyDigest(pairs[(i + 1) % pairs.length]!.publicKey, d, signDigest(k.secretKey, d), true)).toBe(false);
      }
  }, 30_000);

  it('ECDH: both sides agree and equal node:crypto computeSecret', () => {
    const a = keygen(new Uint8Array(48).fill(1));
    const b = keygen(new Uint8Array(48).fill(2));
    const z = sharedSecret(a.secretKey, b.publicKey)!;
    expect(hex(z)).toBe(hex(sharedSecret(bytesToBig(b.secretKey), a.publicKey)!));
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(Buffer.from(a.secretKey));
    expect(hex(z)).toBe(hex(ecdh.computeSecret(Buffer.from(b.publicKey))));
    expect(sharedSecret(a.secretKey, b.publicKey.subarray(0, 64))).toBeUndefined();
  });
});

describe('P-256 table arithmetic edge cases', () => {
  it('k·G for scalars with carries through every window equals noble (1, 2, n-1, n-2, (n-1)/2, 2^255, all-ones digits)', () => {
    const ks = [1n, 2n, 3n, N - 1n, N - 2n, (N - 1n) >> 1n, 1n << 255n, (1n << 252n) - 1n, 0x800800800800800800800800800800800800800800800800800800800800800n];
    for (let w = 2; w <= 12; w += 5) {
      const t = w === 12 ? undefined : buildTable(GX, GY, w);
      for (const k of ks) {
        const want = p256.Point.BASE.multiply(k).toAffine();
        if (t === undefined) expect(hex(publicKeyOf(k)), `k=${k}`).toBe(hex(p256.Point.BASE.multiply(k).toBytes(false)));
        else {
          const acc: Jac = { x: 0n, y: 0n, z: 0n };
          accumulate(acc, t, k, true);
          expect(affine(acc), `w=${w} k=${k}`).toEqual({ x: want.x, y: want.y });
        }
      }
    }
  });

  it('mixed addition: P + P doubles, P + (-P) is infinity, infinity + P is P (guards: H = 0 taken as a regular add)', () => {
    const acc: Jac = { x: GX, y: GY, z: 1n };
    madd(acc, GX, GY);
    const two = p256.Point.BASE.multiply(2n).toAffine();
    expect(affine(acc)).toEqual({ x: two.x, y: two.y });
    madd(acc, two.x, P - two.y);
    expect(acc.z).toBe(0n);
    madd(acc, GX, GY);
    expect(affine(acc)).toEqual({ x: GX, y: GY });
  });
});

describe('RFC 6979 §3.2 steps d–h in signDigestWith (issue 20: K, V in fixed buffers, pad states kept per K)', () => {
  /** The first `count` candidates k of RFC 6979 §3.2, written straight from the text over node:crypto's HMAC. */
  function candidates(x: Uint8Array, h1: Uint8Array, extra: Uint8Array, count: number): bigint[] {
    const mac = (k: Uint8Array, ...parts: Uint8Array[]): Uint8Array => new Uint8Array(createHmac('sha256', k).update(Buffer.concat(parts)).digest());
    let v: Uint8Array = new Uint8Array(32).fill(1);
    let k: Uint8Array = new Uint8Array(32);
    k = mac(k, v, Uint8Array.of(0), x, h1, extra); // d
    v = mac(k, v); // e
    k = mac(k, v, Uint8Array.of(1), x, h1, extra); // f
    v = mac(k, v); // g
    const out: bigint[] = [];
    while (out.length < count) {
      v = mac(k, v); // h.2 (tlen = qlen)
      out.push(bytesToBig(v));
      k = mac(k, v, Uint8Array.of(0)); // h.3
      v = mac(k, v);
    }
    return out;
  }
  const pubX = (k: bigint): bigint => bytesToBig(publicKeyOf(k).subarray(1, 33));

  // r = x(k·G) mod n = 0 for the first candidates (forced through baseX): the loop must take
  // the next candidate of step h.3, the same with the card's HMAC and with a per-call one.
  for (const hmac of ['card', 'per-call'] as const) {
    for (const rejects of [1, 2]) {
      for (const extraLen of [0, 32, 45]) {
        it(`${hmac} HMAC, ${rejects} rejected candidate(s), k' of ${extraLen} bytes: the next candidates in order, the signature over the last`, () => {
          const secret = keygen(new Uint8Array(48).fill(7 + extraLen + rejects)).secretKey;
          const digest = sha256(new TextEncoder().encode(`retry ${hmac} ${rejects} ${extraLen}`));
          const extra = new Uint8Array(extraLen).map((_, i) => i * 7 + 1);
          const seen: bigint[] = [];
          const ops: SignOps = {
            baseX: (k) => {
              seen.push(k);
              return seen.length <= rejects ? N : pubX(k); // N mod n = 0: step h.3
            },
            ...(hmac === 'per-call' ? { hmac: (k: Uint8Array, m: Uint8Array) => new Uint8Array(createHmac('sha256', k).update(m).digest()) } : {}),
          };
          const sig = signDigestWith(ops, secret, digest, extraLen ? extra : undefined, false);
          const want = candidates(secret, digest, extra, rejects + 1);
          expect(seen).toEqual(want);
          const k = want[rejects]!;
          const r = pubX(k) % N;
          const d = bytesToBig(secret);
          const s = (p256.Point.Fn.inv(k) * ((bytesToBig(digest) + r * d) % N)) % N;
          expect(hex(sig)).toBe(hex(bigToBytes(r, 32)) + hex(bigToBytes(s, 32)));
          // The secret as a bigint takes the same path.
          seen.length = 0;
          expect(hex(signDigestWith(ops, d, digest, extraLen ? extra : undefined, false))).toBe(hex(sig));
        });
      }
    }
  }

  it('the card HMAC and a per-call node:crypto HMAC give the same signatures (no forced retry)', () => {
    const ops: SignOps = { baseX: pubX };
    const perCall: SignOps = { baseX: pubX, hmac: (k, m) => new Uint8Array(createHmac('sha256', k).update(m).digest()) };
    for (let i = 0; i < 20; i++) {
      const secret = keygen(new Uint8Array(48).fill(i + 1)).secretKey;
      const digest = sha256(Uint8Array.of(i));
      expect(hex(signDigestWith(ops, secret, digest))).toBe(hex(signDigestWith(perCall, secret, digest)));
      expect(hex(signDigestWith(ops, secret, digest, Uint8Array.of(i)))).toBe(hex(signDigestWith(perCall, secret, digest, Uint8Array.of(i))));
    }
  });
});
