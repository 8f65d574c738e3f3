/**
 * Issue 20: p256VerifyMessage — ECDSA P-256 verify over SHA-256(message) — decides exactly as the
 * pure verify does under both providers. The Node provider runs node:crypto's verify (OpenSSL)
 * after its own range and key checks; this compares the two providers' verdicts (and the digest
 * form's) on valid signatures (low- and high-S, cached and one-off keys), mutated ones and
 * malformed inputs (wrong lengths, r or s = 0 or ≥ n, keys off the curve, with a coordinate ≥ p,
 * compressed or of the wrong length), with fast-check generating the inputs.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PURE_CRYPTO, P256_ORDER, bigToBytes, bytesToBig, scalarFromSeed } from '../../card/algorithms/index.js';
import { NODE_CRYPTO } from '../../host/crypto/node-provider.js';

const N = P256_ORDER;
const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;

interface Case {
  key: Uint8Array;
  message: Uint8Array;
  signature: Uint8Array;
}

/** Both providers, message and digest forms, cached and one-off: one verdict. */
function verdicts(c: Case): boolean {
  const digest = PURE_CRYPTO.sha256(c.message);
  const all: boolean[] = [];
  for (const cache of [true, false]) {
    all.push(
      PURE_CRYPTO.p256Verify(c.key, digest, c.signature, cache),
      PURE_CRYPTO.p256VerifyMessage(c.key, c.message, c.signature, cache),
      NODE_CRYPTO.p256VerifyMessage(c.key, c.message, c.signature, cache),
    );
  }
  const first = all[0]!;
  expect(all, `key ${Buffer.from(c.key).toString('hex')} sig ${Buffer.from(c.signature).toString('hex')}`).toEqual(all.map(() => first));
  return first;
}

// Keys from a pool of six (the pure verify builds a ~50 ms table per new cached key), plus random ones.
const POOL = Array.from({ length: 6 }, (_, i) => new Uint8Array(48).fill(0x31 + i));
const seed = fc.oneof({ arbitrary: fc.constantFrom(...POOL), weight: 4 }, { arbitrary: fc.uint8Array({ minLength: 48, maxLength: 48 }), weight: 1 });
const message = fc.uint8Array({ minLength: 0, maxLength: 120 });

/** A key pair and a valid signature of `msg` (hedged, low- or high-S). */
function signed(s: Uint8Array, msg: Uint8Array, lowS: boolean, extra?: Uint8Array): Case {
  const d = bigToBytes(scalarFromSeed(s), 32);
  const key = NODE_CRYPTO.p256PublicKey(d);
  return { key, message: msg, signature: NODE_CRYPTO.p256Sign(d, NODE_CRYPTO.sha256(msg), extra, lowS) };
}

function withS(sig: Uint8Array, s: bigint): Uint8Array {
  const out = sig.slice();
  out.set(bigToBytes(s, 32), 32);
  return out;
}

function withR(sig: Uint8Array, r: bigint): Uint8Array {
  const out = sig.slice();
  out.set(bigToBytes(r, 32), 0);
  return out;
}

describe('p256VerifyMessage: both providers decide alike', () => {
  it('accepts valid signatures, low-S and high-S (s and n − s), cached and one-off keys', () => {
    fc.assert(
      fc.property(seed, message, fc.boolean(), fc.option(fc.uint8Array({ minLength: 16, maxLength: 16 }), { nil: undefined }), (sd, msg, lowS, extra) => {
        const c = signed(sd, msg, lowS, extra);
        expect(verdicts(c)).toBe(true);
        const s = bytesToBig(c.signature.subarray(32));
        expect(verdicts({ ...c, signature: withS(c.signature, N - s) })).toBe(true); // the other half: both accepted
      }),
      { numRuns: 60 },
    );
  });

  it('refuses mutated signatures, messages and keys', () => {
    fc.assert(
      fc.property(seed, message, fc.nat(64 + 64 + 120 - 1), fc.integer({ min: 1, max: 255 }), (sd, msg, at, flip) => {
        const c = signed(sd, msg, true);
        if (at < 64) {
          const sig = c.signature.slice();
          sig[at]! ^= flip;
          expect(verdicts({ ...c, signature: sig })).toBe(false);
        } else if (at < 128) {
          const key = c.key.slice();
          key[1 + ((at - 64) % 64)]! ^= flip; // off the curve (or, rarely, another point): refused either way
          expect(verdicts({ ...c, key })).toBe(false);
        } else if (msg.length > 0) {
          const m = msg.slice();
          m[(at - 128) % msg.length]! ^= flip;
          expect(verdicts({ ...c, message: m })).toBe(false);
        } else {
          expect(verdicts({ ...c, message: Uint8Array.of(flip) })).toBe(false);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('refuses r or s of 0, n, n + k or all ones, and signatures of the wrong length', () => {
    fc.assert(
      fc.property(seed, message, fc.constantFrom(0n, N, N + 1n, N + 12345n, (1n << 256n) - 1n), fc.boolean(), fc.nat(80), (sd, msg, bad, onR, len) => {
        const c = signed(sd, msg, true);
        expect(verdicts({ ...c, signature: onR ? withR(c.signature, bad) : withS(c.signature, bad) })).toBe(false);
        if (len !== 64) {
          const sig = new Uint8Array(len);
          sig.set(c.signature.subarray(0, Math.min(len, 64)));
          expect(verdicts({ ...c, signature: sig })).toBe(false);
        }
        expect(verdicts({ ...c, signature: c.signature.subarray(0, 63) })).toBe(false);
        expect(verdicts({ ...c, signature: Uint8Array.of(...c.signature, 0) })).toBe(false);
      }),
      { numRuns: 60 },
    );
  });

  it('refuses keys that are not an uncompressed point on the curve', () => {
    fc.assert(
      fc.property(seed, message, (sd, msg) => {
        const c = signed(sd, msg, true);
        const x = bytesToBig(c.key.subarray(1, 33));
        const y = bytesToBig(c.key.subarray(33));
        const key = (px: bigint, py: bigint, prefix = 0x04): Uint8Array => Uint8Array.of(prefix, ...bigToBytes(px, 32), ...bigToBytes(py, 32));
        const bad: Uint8Array[] = [
          key(x, (y + 1n) % P), // off the curve
          key(x, P - y, 0x05), // a bad prefix
          Uint8Array.of(y % 2n === 0n ? 0x02 : 0x03, ...c.key.subarray(1, 33)), // compressed: not accepted by the card
          c.key.subarray(0, 64),
          Uint8Array.of(...c.key, 0),
          new Uint8Array(65),
          new Uint8Array(0),
        ];
        if (x + P < 1n << 256n) bad.push(key(x + P, y)); // x ≥ p: the same point mod p, refused by both
        if (y + P < 1n << 256n) bad.push(key(x, y + P));
        for (const k of bad) expect(verdicts({ ...c, key: k })).toBe(false);
        expect(verdicts({ ...c, key: key(x, P - y) })).toBe(false); // −Q: on the curve, another key
      }),
      { numRuns: 20 },
    );
  });

  it('never throws on inputs of the wrong type (false, as the pure verify)', () => {
    const c = signed(new Uint8Array(48).fill(7), new Uint8Array(5), true);
    const junk = [undefined, null, 'abc', 42, {}] as unknown as Uint8Array[];
    for (const j of junk) {
      expect(NODE_CRYPTO.p256VerifyMessage(c.key, j, c.signature)).toBe(false);
      expect(PURE_CRYPTO.p256VerifyMessage(c.key, j, c.signature)).toBe(false);
      expect(NODE_CRYPTO.p256VerifyMessage(j, c.message, c.signature)).toBe(false);
      expect(NODE_CRYPTO.p256VerifyMessage(c.key, c.message, j)).toBe(false);
    }
  });

  it('a cached key stays right after more than the cache holds (LRU eviction), one-off keys are not kept', () => {
    const cases = Array.from({ length: 12 }, (_, i) => signed(new Uint8Array(48).fill(i + 1), Uint8Array.of(i), true));
    for (let round = 0; round < 2; round++) {
      for (const c of cases) {
        expect(NODE_CRYPTO.p256VerifyMessage(c.key, c.message, c.signature)).toBe(true);
        expect(NODE_CRYPTO.p256VerifyMessage(c.key, c.message, cases[(cases.indexOf(c) + 1) % 12]!.signature)).toBe(false);
      }
    }
  });
});
