/**
 * ECDSA P-256 with SHA-256 for the applets (FIPS 186-5 §6.4, SEC 1 §4.1) and ECDH (SEC 1 §3.3.1):
 * the one implementation the payment and ledger applets share.
 * - Keys: a private scalar from ≥ 40 random bytes (FIPS 186-5 A.2.1: reduction of a longer string,
 *   d = (seed mod (n-1)) + 1, the same mapping as noble's keygen(seed)); public keys uncompressed
 *   SEC 1 (65 bytes, 04‖X‖Y), checked on the curve when parsed.
 * - Signing: RFC 6979 §3.2 deterministic nonce (HMAC-DRBG over SHA-256 keyed by the private key and
 *   the digest), optionally hedged with extra entropy k' (RFC 6979 §3.6), so neither a weak nor a
 *   rewound card RNG (snapshot restore) can repeat a nonce for a different digest; s normalised to
 *   the low half (BIP 62, noble's default) unless lowS is false. Output raw r‖s (64 bytes).
 * - Speed (issue 6: 1,000 DEBIT/s = one verify + one sign each): k·G and u1·G use a W=12 signed-
 *   window table of G (p256-comb.ts, built once on first use); u2·Q uses a W=10 table per
 *   long-lived verifying key (editor root, issuer, server), kept in a small LRU cache keyed by the
 *   key bytes — public data only, so not applet state. One-off keys (a transfer sender, ECDH
 *   peers) go through @noble/curves without a table: a table would cost more than it saves.
 * Checked against RFC 6979 A.2.5, @noble/curves and node:crypto in test/algorithms/p256.test.ts.
 */
import { p256 } from '@noble/curves/nist.js';
import { HmacSha256, sha256 } from './sha256.js';
import { GX, GY, N, P, accumulate, affineX, buildTable, invN, invP, onCurve, type CombTable, type Jac } from './p256-comb.js';

export { N as P256_ORDER } from './p256-comb.js';
export const PUBLIC_KEY_LENGTH = 65;
export const SECRET_KEY_LENGTH = 32;
export const SIGNATURE_LENGTH = 64;
const G_WINDOW = 12;
const KEY_WINDOW = 10;
const KEY_CACHE_SIZE = 8;
const Fn = p256.Point.Fn;

/** Big-endian bytes → integer, 32 bits per bigint step (4× the byte loop: issue 20). */
export function bytesToBig(b: Uint8Array): bigint {
  let v = 0n;
  let i = 0;
  for (; i + 4 <= b.length; i += 4) v = (v << 32n) | BigInt(((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0);
  for (; i < b.length; i++) v = (v << 8n) | BigInt(b[i]!);
  return v;
}

/** The low `len` bytes of a non-negative integer, big-endian, 32 bits per bigint step. */
export function bigToBytes(v: bigint, len: number): Uint8Array {
  const out = new Uint8Array(len);
  let i = len;
  for (; i >= 4; i -= 4, v >>= 32n) {
    const w = Number(BigInt.asUintN(32, v));
    out[i - 1] = w & 0xff;
    out[i - 2] = (w >>> 8) & 0xff;
    out[i - 3] = (w >>> 16) & 0xff;
    out[i - 4] = w >>> 24;
  }
  for (; i > 0; i--, v >>= 8n) out[i - 1] = Number(v & 0xffn);
  return out;
}

let gTable: CombTable | undefined;
function gComb(): CombTable {
  return (gTable ??= buildTable(GX, GY, G_WINDOW));
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const keyCache = new Map<string, CombTable>();

/** (x, y) of an uncompressed SEC 1 public key on the curve; undefined otherwise. */
function parseKey(key: Uint8Array): { x: bigint; y: bigint } | undefined {
  if (key.length !== PUBLIC_KEY_LENGTH || key[0] !== 0x04) return undefined;
  const x = bytesToBig(key.subarray(1, 33));
  const y = bytesToBig(key.subarray(33));
  return onCurve(x, y) ? { x, y } : undefined;
}

/** Whether `key` is an uncompressed P-256 public key on the curve. */
export function isValidPublicKey(key: Uint8Array): boolean {
  return parseKey(key) !== undefined;
}

/** The cached W=10 table of a long-lived key (built on first use, ~50 ms); undefined if invalid. */
function keyComb(key: Uint8Array): CombTable | undefined {
  let id = '';
  for (let i = 0; i < key.length; i++) id += HEX[key[i]!];
  const hit = keyCache.get(id);
  if (hit !== undefined) {
    keyCache.delete(id); // LRU: most recent last
    keyCache.set(id, hit);
    return hit;
  }
  const q = parseKey(key);
  if (q === undefined) return undefined;
  const t = buildTable(q.x, q.y, KEY_WINDOW);
  if (keyCache.size >= KEY_CACHE_SIZE) keyCache.delete(keyCache.keys().next().value!);
  keyCache.set(id, t);
  return t;
}

function scalarOf(d: bigint | Uint8Array): bigint {
  const x = typeof d === 'bigint' ? d : d.length === SECRET_KEY_LENGTH ? bytesToBig(d) : -1n;
  if (x <= 0n || x >= N) throw new RangeError('"secretKey" expected 32 bytes holding a scalar in 1..n-1');
  return x;
}

/** A private scalar from ≥ 40 random bytes (FIPS 186-5 A.2.1). */
export function scalarFromSeed(seed: Uint8Array): bigint {
  if (seed.length < 40) throw new RangeError(`"seed" expected at least 40 bytes, got ${seed.length}`);
  return (bytesToBig(seed) % (N - 1n)) + 1n;
}

/** The uncompressed public key d·G. */
export function publicKeyOf(d: bigint | Uint8Array): Uint8Array {
  const acc: Jac = { x: 0n, y: 0n, z: 0n };
  accumulate(acc, gComb(), scalarOf(d), true);
  const pt = p256.Point.fromAffine(jacToAffine(acc));
  return pt.toBytes(false);
}

function jacToAffine(a: Jac): { x: bigint; y: bigint } {
  const zi = invP(a.z);
  const zi2 = (zi * zi) % P;
  return { x: (a.x * zi2) % P, y: (((a.y * zi2) % P) * zi) % P };
}

/** A key pair from ≥ 40 bytes of the card's (injected) randomness; the caller wipes the secret. */
export function keygen(seed: Uint8Array): { secretKey: Uint8Array; publicKey: Uint8Array } {
  const d = scalarFromSeed(seed);
  return { secretKey: bigToBytes(d, 32), publicKey: publicKeyOf(d) };
}

/**
 * What RFC 6979 signing needs from the machine: the x coordinate of k·G, and optionally an
 * HMAC-SHA256. A faster provider (host/crypto/node-provider.ts) gives its own k·G, and
 * signDigestWith keeps the nonce derivation — hence every signature byte — the same for all
 * (issue 20).
 */
export interface SignOps {
  /**
   * HMAC-SHA256(key, msg) with a 32-byte key. Optional: without it the card's own HMAC runs, with
   * the pads' chaining values kept for each K of the DRBG (HmacSha256) — cheaper than a per-call
   * HMAC through node:crypto's one-shot hash on this machine kind (issue 20).
   */
  hmac?(key: Uint8Array, msg: Uint8Array): Uint8Array;
  /** x(k·G) as an integer, k in 1..n-1. */
  baseX(k: bigint): bigint;
  /** The same from k's 32 big-endian bytes, when the machine takes bytes (saves a conversion). */
  baseXOfBytes?(k: Uint8Array): bigint;
}

const PURE_SIGN_OPS: SignOps = {
  baseX(k: bigint): bigint {
    const acc: Jac = { x: 0n, y: 0n, z: 0n };
    accumulate(acc, gComb(), k, true);
    return affineX(acc)!;
  },
};

/** The keyed-MAC steps of the DRBG: HmacSha256, or a per-call `SignOps.hmac` behind the same face. */
interface DrbgMac {
  setKey(key: Uint8Array): unknown;
  macInto(msg: Uint8Array, out: Uint8Array): unknown;
  wipe(): void;
}

class CallMac implements DrbgMac {
  private readonly key = new Uint8Array(32);
  constructor(private readonly hmac: (key: Uint8Array, msg: Uint8Array) => Uint8Array) {}
  setKey(key: Uint8Array): void {
    this.key.set(key);
  }
  macInto(msg: Uint8Array, out: Uint8Array): void {
    out.set(this.hmac(this.key, msg));
  }
  wipe(): void {
    this.key.fill(0);
  }
}

/** The DRBG's MAC (re-keyed per K, wiped after each signature) and the one under step c's K = 0. */
const drbgMac = new HmacSha256();
const zeroKeyMac = new HmacSha256().setKey(new Uint8Array(32)); // public: the all-zero key
const ZERO_KEY = new Uint8Array(32);

/**
 * Sign a 32-byte digest: RFC 6979 §3.2 nonce, hedged with `extraEntropy` (k', §3.6) when given.
 * Raw r‖s; s ≤ n/2 unless lowS is false (RFC 6979's printed vectors are the high-S form).
 */
export function signDigest(d: bigint | Uint8Array, digest: Uint8Array, extraEntropy?: Uint8Array, lowS = true): Uint8Array {
  return signDigestWith(PURE_SIGN_OPS, d, digest, extraEntropy, lowS);
}

/**
 * signDigest over the given k·G (and HMAC, when `ops` has one): the same nonces, the same
 * signatures. RFC 6979 §3.2 steps b–h exactly, with qlen = hlen = 256 (one HMAC per candidate):
 * five MACs for the usual first candidate, K and V in fixed buffers wiped afterwards.
 */
export function signDigestWith(ops: SignOps, d: bigint | Uint8Array, digest: Uint8Array, extraEntropy?: Uint8Array, lowS = true): Uint8Array {
  if (digest.length !== 32) throw new RangeError(`"digest" expected 32 bytes, got ${digest.length}`);
  const x = scalarOf(d);
  const h = bytesToBig(digest);
  const e = h % N; // bits2int then mod n (qlen = hlen = 256)
  const extraLen = extraEntropy === undefined ? 0 : extraEntropy.length;
  // msg = V ‖ sep ‖ int2octets(x) ‖ bits2octets(h1) ‖ k' (steps d and f); its first 33 bytes serve step h's V ‖ 00.
  const msg = new Uint8Array(97 + extraLen);
  if (typeof d === 'bigint') {
    const xo = bigToBytes(x, 32);
    msg.set(xo, 33);
    xo.fill(0);
  } else msg.set(d, 33); // the scalar's own bytes when given as bytes
  msg.set(e === h ? digest : bigToBytes(e, 32), 65);
  if (extraEntropy !== undefined) msg.set(extraEntropy, 97);
  const K = new Uint8Array(32);
  const V = new Uint8Array(32).fill(1); // step b; step c: K = 0
  const mac: DrbgMac = ops.hmac === undefined ? drbgMac : new CallMac(ops.hmac);
  try {
    msg.set(V, 0); // msg[32] = 0x00
    if (mac === drbgMac) zeroKeyMac.macInto(msg, K);
    else {
      mac.setKey(ZERO_KEY);
      mac.macInto(msg, K);
    }
    mac.setKey(K); // step d done: K = HMAC_K(V ‖ 00 ‖ seed)
    mac.macInto(V, V); // e
    msg.set(V, 0);
    msg[32] = 1;
    mac.macInto(msg, K); // f
    mac.setKey(K);
    mac.macInto(V, V); // g
    const vz = msg.subarray(0, 33);
    for (;;) {
      mac.macInto(V, V); // step h: T = V (tlen = qlen)
      const kk = bytesToBig(V);
      if (kk >= 1n && kk < N) {
        const r = (ops.baseXOfBytes !== undefined ? ops.baseXOfBytes(V) : ops.baseX(kk)) % N;
        if (r !== 0n) {
          let s = (invN(kk) * ((e + r * x) % N)) % N;
          if (s !== 0n) {
            if (lowS && s > N >> 1n) s = N - s;
            return rs(r, s);
          }
        }
      }
      msg.set(V, 0);
      msg[32] = 0;
      mac.macInto(vz, K);
      mac.setKey(K);
      mac.macInto(V, V);
    }
  } finally {
    mac.wipe();
    msg.fill(0);
    K.fill(0);
    V.fill(0);
  }
}

/** r‖s, 32 bytes each, big-endian. */
function rs(r: bigint, s: bigint): Uint8Array {
  const out = bigToBytes(s, 64); // s in the low 32 bytes; r's bytes go above it
  out.set(bigToBytes(r, 32), 0);
  return out;
}

/** Sign SHA-256(message) (deterministic RFC 6979 unless `extraEntropy`). */
export function sign(message: Uint8Array, secretKey: bigint | Uint8Array, opts: { lowS?: boolean; extraEntropy?: Uint8Array } = {}): Uint8Array {
  return signDigest(secretKey, sha256(message), opts.extraEntropy, opts.lowS ?? true);
}

/**
 * Verify raw r‖s over a 32-byte digest (both low- and high-S accepted). `cache`: the key is a
 * long-lived one stored at personalization — use (and keep) its table. Never throws.
 */
export function verifyDigest(key: Uint8Array, digest: Uint8Array, sig: Uint8Array, cache = true): boolean {
  if (sig.length !== SIGNATURE_LENGTH || digest.length !== 32) return false;
  const r = bytesToBig(sig.subarray(0, 32));
  const s = bytesToBig(sig.subarray(32));
  if (r <= 0n || r >= N || s <= 0n || s >= N) return false;
  const w = invN(s);
  const u1 = Fn.mul(bytesToBig(digest) % N, w);
  const u2 = Fn.mul(r, w);
  if (!cache) {
    const q = parseKey(key);
    if (q === undefined) return false;
    const R = p256.Point.BASE.multiplyUnsafe(u1).add(p256.Point.fromAffine(q).multiplyUnsafe(u2));
    return !R.is0() && Fn.create(R.toAffine().x) === r;
  }
  const qt = keyComb(key);
  if (qt === undefined) return false;
  const acc: Jac = { x: 0n, y: 0n, z: 0n };
  accumulate(acc, gComb(), u1, false);
  accumulate(acc, qt, u2, false);
  if (acc.z === 0n) return false;
  // x(R) mod n = r  ⟺  X = r·Z² or, when r + n < p, X = (r + n)·Z²: no inversion needed.
  const z2 = (acc.z * acc.z) % P;
  if (acc.x === (r * z2) % P) return true;
  return r + N < P && acc.x === ((r + N) * z2) % P;
}

/** Verify raw r‖s over SHA-256(message). */
export function verify(key: Uint8Array, message: Uint8Array, sig: Uint8Array, cache = false): boolean {
  return verifyDigest(key, sha256(message), sig, cache);
}

/** ECDH: the x coordinate of d·Q (SEC 1 §3.3.1); undefined if Q is not a valid key. */
export function sharedSecret(d: bigint | Uint8Array, key: Uint8Array): Uint8Array | undefined {
  const q = parseKey(key);
  if (q === undefined) return undefined;
  return bigToBytes(p256.Point.fromAffine(q).multiply(scalarOf(d)).toAffine().x, 32);
}
