/**
 * ECDSA P-256 (FIPS 186-5 §6.4, SEC 1 §4.1) and ECDH (SEC 1 §3.3.1) for the ledger applet, over
 * @noble/curves' point arithmetic with precomputed tables, because DEBIT must do one verify and one
 * sign in well under a millisecond (issue 6 floor: 1,000 DEBIT/s through the APDU interface).
 * - G gets a W=10 wNAF table (built once, ~0.3 s, on first use); each long-lived verifying key
 *   gets one too, cached by its bytes (derived from public data only, so not applet state).
 * - Signing uses the constant-time multiply; the nonce is hedged (RFC 6979 §3.6 style): HMAC-SHA256
 *   keyed by the private key over (digest, fresh card randomness), so neither a weak RNG nor a
 *   rewound RNG (snapshot restore) can repeat a nonce for a different digest.
 * - Signatures are raw r || s (64 bytes), s normalised to low-S (BIP 62 / noble's default).
 * Cross-checked against noble's p256.sign/verify and node:crypto in test/applets/ledger/crypto.test.ts.
 */
import { p256 } from '@noble/curves/nist.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';

type Point = InstanceType<typeof p256.Point>;
const Point = p256.Point;
const Fn = Point.Fn;
const N = Fn.ORDER;

export const PUBLIC_KEY_LENGTH = 65;
export const SIGNATURE_LENGTH = 64;

let gTable: Point | undefined;
function base(): Point {
  if (gTable === undefined) {
    // A private copy of G so the table does not change noble's global BASE for other users.
    const g = Point.fromAffine(Point.BASE.toAffine());
    g.precompute(10, false);
    gTable = g;
  }
  return gTable;
}

const keyCache = new Map<string, Point>();
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
function hexOf(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i]!];
  return s;
}

function parsePoint(key: Uint8Array): Point | undefined {
  if (key.length !== PUBLIC_KEY_LENGTH || key[0] !== 0x04) return undefined;
  try {
    const p = Point.fromBytes(key);
    p.assertValidity();
    return p;
  } catch {
    return undefined;
  }
}

/**
 * An uncompressed SEC 1 public key as a point; undefined if not on the curve. With `table`, the
 * point gets a W=10 table (~0.2 s once per key) and is cached: for the few long-lived keys stored
 * at personalization (editor root, issuer, server), not for one-off keys.
 */
export function publicPoint(key: Uint8Array, table = true): Point | undefined {
  if (!table) return parsePoint(key);
  const id = hexOf(key);
  let p = keyCache.get(id);
  if (p === undefined) {
    p = parsePoint(key);
    if (p === undefined) return undefined;
    p.precompute(10, false);
    if (keyCache.size >= 32) keyCache.clear();
    keyCache.set(id, p);
  }
  return p;
}

export function bytesToBig(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = 0; i < b.length; i++) v = (v << 8n) | BigInt(b[i]!);
  return v;
}

export function bigToBytes(v: bigint, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = len - 1; i >= 0; i--, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}

/** A private scalar from 48 random bytes (FIPS 186-5 A.2.1: reduction of a longer string). */
export function scalarFromSeed(seed: Uint8Array): bigint {
  if (seed.length < 40) throw new RangeError(`"seed" expected at least 40 bytes, got ${seed.length}`);
  return (bytesToBig(seed) % (N - 1n)) + 1n;
}

export function publicKeyOf(d: bigint): Uint8Array {
  return base().multiply(d).toBytes(false);
}

/** Sign a 32-byte digest with private scalar d; `entropy` is fresh randomness for the hedged nonce. */
export function signDigest(d: bigint, digest: Uint8Array, entropy: Uint8Array): Uint8Array {
  if (digest.length !== 32) throw new RangeError(`"digest" expected 32 bytes, got ${digest.length}`);
  const e = bytesToBig(digest) % N;
  const dBytes = bigToBytes(d, 32);
  for (let ctr = 0; ; ctr++) {
    const seed = new Uint8Array(32 + entropy.length + 1);
    seed.set(digest);
    seed.set(entropy, 32);
    seed[seed.length - 1] = ctr;
    const t1 = hmac(sha256, dBytes, seed);
    const k = (bytesToBig(Uint8Array.of(...t1, ...hmac(sha256, dBytes, t1))) % (N - 1n)) + 1n;
    const r = Fn.create(base().multiply(k).toAffine().x);
    if (r === 0n) continue;
    let s = Fn.mul(Fn.inv(k), Fn.add(e, Fn.mul(r, d)));
    if (s === 0n) continue;
    if (s > N >> 1n) s = N - s;
    const out = new Uint8Array(64);
    out.set(bigToBytes(r, 32));
    out.set(bigToBytes(s, 32), 32);
    return out;
  }
}

/** Verify raw r || s over a 32-byte digest with an uncompressed public key. Never throws. */
export function verifyDigest(key: Uint8Array, digest: Uint8Array, sig: Uint8Array, table = true): boolean {
  if (sig.length !== SIGNATURE_LENGTH || digest.length !== 32) return false;
  const q = publicPoint(key, table);
  if (q === undefined) return false;
  const r = bytesToBig(sig.subarray(0, 32));
  const s = bytesToBig(sig.subarray(32));
  if (r <= 0n || r >= N || s <= 0n || s >= N) return false;
  const w = Fn.inv(s);
  const u1 = Fn.mul(bytesToBig(digest) % N, w);
  const u2 = Fn.mul(r, w);
  const R = base().multiplyUnsafe(u1).add(q.multiplyUnsafe(u2));
  if (R.is0()) return false;
  return Fn.create(R.toAffine().x) === r;
}

/** ECDH: the x coordinate of d·Q (SEC 1 §3.3.1); undefined if Q is not a valid key. */
export function sharedSecret(d: bigint, key: Uint8Array): Uint8Array | undefined {
  // One-off keys (ephemeral, recipients): no table, it would cost more than it saves.
  const q = parsePoint(key);
  if (q === undefined) return undefined;
  return bigToBytes(q.multiply(d).toAffine().x, 32);
}
