/**
 * ECDSA P-256 signing with SHA-256 for the payment applet (FIPS 186-5 §6.4.1) with the RFC 6979
 * §3.2 deterministic nonce (HMAC-DRBG over SHA-256 keyed by the private key and the digest), so no
 * nonce depends on the card RNG: a rewound RNG (snapshot restore) or a weak one cannot repeat a
 * nonce for a different message. Point arithmetic is @noble/curves'; k·G uses a private copy of G
 * with a W=10 table (built once on first use, ~0.3 s) so SIGN TRANSACTION stays well above the
 * issue's 1,000 signatures/s floor. s is normalised to the low half (s ≤ n/2, BIP 62 / noble's
 * default) unless lowS is false — the form RFC 6979 A.2.5 prints; strict verifiers (noble's
 * default) refuse high-S. Output: raw r‖s, 64 bytes.
 * Checked against RFC 6979 A.2.5 and noble's p256.sign in the tests.
 */
import { p256 } from '@noble/curves/nist.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';

type Point = InstanceType<typeof p256.Point>;
const Fn = p256.Point.Fn;
const N = Fn.ORDER;

let gTable: Point | undefined;
function base(): Point {
  if (gTable === undefined) {
    // A private copy of G so the bigger table does not change noble's global BASE for others.
    const g = p256.Point.fromAffine(p256.Point.BASE.toAffine());
    g.precompute(10, false);
    gTable = g;
  }
  return gTable;
}

function toBig(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = 0; i < b.length; i++) v = (v << 8n) | BigInt(b[i]!);
  return v;
}

function to32(v: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 31, x = v; i >= 0; i--, x >>= 8n) out[i] = Number(x & 0xffn);
  return out;
}

function join(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const ZERO = Uint8Array.of(0);
const ONE = Uint8Array.of(1);

/** Sign SHA-256(message) with a 32-byte private key; raw r‖s. */
export function ecdsaSign(message: Uint8Array, secretKey: Uint8Array, lowS = true): Uint8Array {
  const x = toBig(secretKey);
  if (x <= 0n || x >= N) throw new RangeError('"secretKey" expected a scalar in 1..n-1');
  const h1 = sha256(message);
  const e = toBig(h1) % N; // bits2int then mod n (qlen = hlen = 256)
  const xo = to32(x);
  const ho = to32(e); // bits2octets(h1), RFC 6979 §2.3.4
  // RFC 6979 §3.2 steps b-f.
  let v = new Uint8Array(32).fill(1);
  let k = new Uint8Array(32);
  k = hmac(sha256, k, join(v, ZERO, xo, ho));
  v = hmac(sha256, k, v);
  k = hmac(sha256, k, join(v, ONE, xo, ho));
  v = hmac(sha256, k, v);
  for (;;) {
    v = hmac(sha256, k, v); // step h: T = V (tlen = qlen)
    const kk = toBig(v);
    if (kk >= 1n && kk < N) {
      const r = base().multiply(kk).toAffine().x % N;
      if (r !== 0n) {
        const s = Fn.mul(Fn.inv(kk), Fn.add(e, Fn.mul(r, x)));
        if (s !== 0n) {
          xo.fill(0);
          return join(to32(r), to32(lowS && s > N >> 1n ? N - s : s));
        }
      }
    }
    k = hmac(sha256, k, join(v, ZERO));
    v = hmac(sha256, k, v);
  }
}
