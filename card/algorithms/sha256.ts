/**
 * One-shot SHA-256 (FIPS 180-4 §6.2) tuned for the short messages a card hashes per command
 * (records, challenges, order digests): no object per call, one reusable message schedule.
 * @noble/hashes remains the reference: tests check this against it and node:crypto, plus the
 * FIPS 180-4 example vectors. Use noble for streaming; use this for one-shot hot paths.
 */

// FIPS 180-4 §4.2.2: first 32 bits of the fractional parts of the cube roots of the first 64 primes.
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
// FIPS 180-4 §5.3.3: initial hash value.
const IV = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

const W = new Int32Array(64);
const H = new Int32Array(8);
const TAIL = new Uint8Array(128);

function compress(block: Uint8Array, off: number): void {
  for (let i = 0; i < 16; i++, off += 4) W[i] = (block[off]! << 24) | (block[off + 1]! << 16) | (block[off + 2]! << 8) | block[off + 3]!;
  for (let i = 16; i < 64; i++) {
    const w15 = W[i - 15]!;
    const w2 = W[i - 2]!;
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    W[i] = (s1 + W[i - 7]! + s0 + W[i - 16]!) | 0;
  }
  let a = H[0]!, b = H[1]!, c = H[2]!, d = H[3]!, e = H[4]!, f = H[5]!, g = H[6]!, h = H[7]!;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i]! + W[i]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  H[0] = (H[0]! + a) | 0;
  H[1] = (H[1]! + b) | 0;
  H[2] = (H[2]! + c) | 0;
  H[3] = (H[3]! + d) | 0;
  H[4] = (H[4]! + e) | 0;
  H[5] = (H[5]! + f) | 0;
  H[6] = (H[6]! + g) | 0;
  H[7] = (H[7]! + h) | 0;
}

/** SHA-256 of `data` (any length up to 2^32 bytes). */
export function sha256(data: Uint8Array): Uint8Array {
  if (!(data instanceof Uint8Array)) throw new TypeError('sha256: "data" expected Uint8Array');
  const out = new Uint8Array(32);
  digestFrom(IV, 0, data, out, 0);
  return out;
}

/**
 * Resume SHA-256 from `state` (the chaining value after `prefix` bytes, a multiple of 64) over
 * `data`, padding for prefix + data.length bytes in all, and write the 32-byte digest at out[off].
 */
function digestFrom(state: Int32Array, prefix: number, data: Uint8Array, out: Uint8Array, off: number): void {
  H.set(state);
  const n = data.length;
  const full = n - (n % 64);
  for (let o = 0; o < full; o += 64) compress(data, o);
  // Padding (§5.1.1): 0x80, zeros, 64-bit big-endian bit length; one or two final blocks.
  const rem = n - full;
  TAIL.fill(0);
  for (let i = 0; i < rem; i++) TAIL[i] = data[full + i]!;
  TAIL[rem] = 0x80;
  const tailLen = rem < 56 ? 64 : 128;
  const bits = (prefix + n) * 8;
  const hi = Math.floor(bits / 0x100000000);
  TAIL[tailLen - 8] = hi >>> 24;
  TAIL[tailLen - 7] = (hi >>> 16) & 0xff;
  TAIL[tailLen - 6] = (hi >>> 8) & 0xff;
  TAIL[tailLen - 5] = hi & 0xff;
  TAIL[tailLen - 4] = (bits >>> 24) & 0xff;
  TAIL[tailLen - 3] = (bits >>> 16) & 0xff;
  TAIL[tailLen - 2] = (bits >>> 8) & 0xff;
  TAIL[tailLen - 1] = bits & 0xff;
  compress(TAIL, 0);
  if (tailLen === 128) compress(TAIL, 64);
  for (let i = 0; i < 8; i++, off += 4) {
    const v = H[i]!;
    out[off] = v >>> 24;
    out[off + 1] = (v >>> 16) & 0xff;
    out[off + 2] = (v >>> 8) & 0xff;
    out[off + 3] = v & 0xff;
  }
  TAIL.fill(0); // it held message bytes (HMAC keys and DRBG state pass through here)
}

/**
 * HMAC-SHA256 (RFC 2104) that keeps the chaining values of the key's inner and outer pad blocks:
 * after `setKey`, each MAC costs its message blocks plus one outer block, where a plain HMAC
 * hashes both 64-byte pads again every call. RFC 6979's HMAC-DRBG uses each K for two or three
 * consecutive MACs (card/algorithms/p256.ts signDigestWith; issue 20). One instance per use site:
 * it holds key material until `wipe()`.
 */
export class HmacSha256 {
  private readonly inner = new Int32Array(8);
  private readonly outer = new Int32Array(8);
  private readonly pad = new Uint8Array(64);
  private readonly mid = new Uint8Array(32);

  /** Key the MAC (RFC 2104: a key longer than 64 bytes is hashed first). */
  setKey(key: Uint8Array): this {
    if (!(key instanceof Uint8Array)) throw new TypeError('HmacSha256.setKey: "key" expected Uint8Array');
    const k = key.length > 64 ? sha256(key) : key;
    for (let i = 0; i < 64; i++) this.pad[i] = (i < k.length ? k[i]! : 0) ^ 0x36;
    H.set(IV);
    compress(this.pad, 0);
    this.inner.set(H);
    for (let i = 0; i < 64; i++) this.pad[i] = this.pad[i]! ^ 0x36 ^ 0x5c;
    H.set(IV);
    compress(this.pad, 0);
    this.outer.set(H);
    this.pad.fill(0);
    H.fill(0);
    W.fill(0);
    return this;
  }

  /** HMAC(key, msg) written at out[off] (32 bytes); `msg` and `out` may overlap. Returns `out`. */
  macInto(msg: Uint8Array, out: Uint8Array, off = 0): Uint8Array {
    digestFrom(this.inner, 64, msg, this.mid, 0);
    digestFrom(this.outer, 64, this.mid, out, off);
    this.mid.fill(0);
    H.fill(0);
    W.fill(0);
    return out;
  }

  /** HMAC(key, msg) as a new array. */
  mac(msg: Uint8Array): Uint8Array {
    return this.macInto(msg, new Uint8Array(32));
  }

  /** Forget the key. */
  wipe(): void {
    this.inner.fill(0);
    this.outer.fill(0);
  }
}
