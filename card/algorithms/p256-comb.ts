/**
 * P-256 fixed-base scalar multiplication by precomputed signed-window tables (the "comb" the
 * card's hot paths use): for a base B and window w, the table holds j·2^(w·i)·B in affine form
 * for every window i and j = 1..2^(w-1); a scalar is recoded into signed w-bit digits, so k·B is
 * one mixed addition per window and no doubling at all. Verification adds u1·G and u2·Q into one
 * Jacobian accumulator (both tables) and compares x without an inversion.
 * Curve: SEC 2 §2.4.2 / FIPS 186-5 D.1.2.3 (a = -3). Formulas: Jacobian coordinates,
 * madd-2007-bl (mixed addition) and dbl-2001-b (doubling, a = -3) from the Explicit-Formulas
 * Database. BigInt arithmetic is not constant-time in JavaScript; `uniform` keeps the operation
 * count independent of the scalar's digits (a dummy addition per zero digit), no more.
 * Cross-checked against @noble/curves in test/algorithms/p256.test.ts.
 */
// SEC 2 §2.4.2
export const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
export const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
export const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;
export const GX = 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n;
export const GY = 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n;

const TWO52 = 2 ** 52;

/**
 * a⁻¹ mod m for an odd prime m and 0 < a < m (P-256's p and n): Lehmer's extended Euclid (Knuth
 * TAOCP vol. 2, 4.5.2, Algorithm L). Each step runs the Euclid quotients of the leading 50 bits
 * (â, b̂) in doubles and applies them to the bigints as one 2×2 matrix; the test of Algorithm L
 * keeps only quotients that are the true ones, so the result is exact. Exactness of the doubles:
 * the cofactors of a Euclid run on a 50-bit â stay ≤ â (≤ 2^51 with the log2 estimate one off), so
 * q·C ≤ 2^52, â + A < 2^52 and every floor((â + A)/(b̂ + C)) is right (an integer quotient below
 * 2^53 cannot round up to the next integer). About 10 bigint steps instead of ~150 divisions:
 * about 2.9× noble's `invert` on this machine (issue 20: k⁻¹ in signing).
 * Equal to noble's `invert` on random and edge inputs (test/algorithms/p256-invert.test.ts).
 */
export function invMod(k: bigint, m: bigint): bigint {
  if (k <= 0n || k >= m) throw new RangeError('invMod: expected 0 < a < m');
  let a = m, b = k, xa = 0n, xb = 1n; // a ≡ xa·k, b ≡ xb·k (mod m)
  for (;;) {
    const fa = Number(a);
    if (fa < TWO52) {
      // Both fit a double: finish there (u − q·v < u < 2^52 is exact), the cofactors in doubles
      // too (|A|, |B| ≤ fa < 2^52 and |q·B| ≤ |A'| + |A| < 2^53: exact), applied to the bigints
      // once at the end instead of a bigint multiply per quotient.
      let u = fa, v = Number(b);
      let A = 1, B = 0; // u's coefficient on (xa, xb); v's is (C, D)
      let C = 0, D = 1;
      while (v !== 0) {
        const q = Math.floor(u / v);
        let t = u - q * v;
        u = v;
        v = t;
        t = A - q * C;
        A = C;
        C = t;
        t = B - q * D;
        B = D;
        D = t;
      }
      if (u !== 1) throw new RangeError('invMod: not invertible');
      const r = (BigInt(A) * xa + BigInt(B) * xb) % m;
      return r < 0n ? r + m : r;
    }
    const sh = BigInt(Math.max(0, Math.floor(Math.log2(fa)) - 49));
    let ah = Number(a >> sh), bh = Number(b >> sh);
    let A = 1, B = 0, C = 0, D = 1;
    for (;;) {
      if (bh + C === 0 || bh + D === 0) break;
      const q = Math.floor((ah + A) / (bh + C));
      if (q !== Math.floor((ah + B) / (bh + D))) break;
      let t = A - q * C;
      A = C;
      C = t;
      t = B - q * D;
      B = D;
      D = t;
      t = ah - q * bh;
      ah = bh;
      bh = t;
    }
    if (B === 0) {
      // No quotient settled in single precision: one full division step.
      const q = a / b;
      const r = a - q * b;
      a = b;
      b = r;
      const t = xa - q * xb;
      xa = xb;
      xb = t;
    } else {
      const bA = BigInt(A), bB = BigInt(B), bC = BigInt(C), bD = BigInt(D);
      const na = bA * a + bB * b;
      b = bC * a + bD * b;
      a = na;
      const nx = bA * xa + bB * xb;
      xb = bC * xa + bD * xb;
      xa = nx;
    }
  }
}

export const invP = (a: bigint): bigint => invMod(a, P);
export const invN = (a: bigint): bigint => invMod(a, N);

/** A Jacobian point (x/z², y/z³); z = 0 is the point at infinity. Mutated in place. */
export interface Jac {
  x: bigint;
  y: bigint;
  z: bigint;
}

export function dbl(a: Jac): void {
  if (a.z === 0n) return;
  const { x, y, z } = a;
  const delta = (z * z) % P;
  const gamma = (y * y) % P;
  const beta = (x * gamma) % P;
  let t = x - delta;
  if (t < 0n) t += P;
  const alpha = (3n * t * (x + delta)) % P;
  let x3 = (alpha * alpha - 8n * beta) % P;
  if (x3 < 0n) x3 += P;
  let y3 = (alpha * (4n * beta - x3) - 8n * gamma * gamma) % P;
  if (y3 < 0n) y3 += P;
  a.z = (2n * y * z) % P;
  a.x = x3;
  a.y = y3;
}

/** a += (x2, y2) with the addend affine (madd-2007-bl); handles infinity and a = ±addend. */
export function madd(a: Jac, x2: bigint, y2: bigint): void {
  const z1 = a.z;
  if (z1 === 0n) {
    a.x = x2;
    a.y = y2;
    a.z = 1n;
    return;
  }
  const x1 = a.x, y1 = a.y;
  const z1z1 = (z1 * z1) % P;
  let h = ((x2 * z1z1) % P) - x1;
  if (h < 0n) h += P;
  let r = ((((y2 * z1) % P) * z1z1) % P) - y1;
  if (r < 0n) r += P;
  if (h === 0n) {
    if (r === 0n) dbl(a);
    else a.z = 0n; // a = -addend
    return;
  }
  r = 2n * r;
  const hh = (h * h) % P;
  const i = (4n * hh) % P;
  const j = (h * i) % P;
  const v = (x1 * i) % P;
  let x3 = (r * r - j - 2n * v) % P;
  if (x3 < 0n) x3 += P;
  let y3 = (r * (v - x3) - 2n * y1 * j) % P;
  if (y3 < 0n) y3 += P;
  a.z = (2n * z1 * h) % P;
  a.x = x3;
  a.y = y3;
}

/** Affine x, y of several Jacobian points with one inversion (Montgomery's trick). */
function normalize(pts: Jac[], xs: bigint[], ys: bigint[], at: number): void {
  const acc: bigint[] = new Array<bigint>(pts.length);
  let prod = 1n;
  for (let i = 0; i < pts.length; i++) {
    acc[i] = prod;
    prod = (prod * pts[i]!.z) % P;
  }
  let inv = invP(prod);
  for (let i = pts.length - 1; i >= 0; i--) {
    const p = pts[i]!;
    const zi = (inv * acc[i]!) % P;
    inv = (inv * p.z) % P;
    const zi2 = (zi * zi) % P;
    xs[at + i] = (p.x * zi2) % P;
    ys[at + i] = (((p.y * zi2) % P) * zi) % P;
  }
}

export interface CombTable {
  readonly w: number;
  readonly windows: number;
  readonly xs: readonly bigint[];
  readonly ys: readonly bigint[];
}

/** The table of an affine point (x, y) on the curve (not checked here) for window w (2..16). */
export function buildTable(x: bigint, y: bigint, w: number): CombTable {
  const half = 1 << (w - 1);
  const windows = Math.ceil(257 / w); // a carry out of the top window needs one more digit
  const xs = new Array<bigint>(windows * half);
  const ys = new Array<bigint>(windows * half);
  let bx = x, by = y;
  for (let win = 0; win < windows; win++) {
    const pts: Jac[] = [{ x: bx, y: by, z: 1n }];
    for (let j = 1; j < half; j++) {
      const p = { ...pts[j - 1]! };
      madd(p, bx, by);
      pts.push(p);
    }
    const next = { ...pts[half - 1]! };
    dbl(next); // 2^w · B_win, the base of the next window
    pts.push(next);
    const nx: bigint[] = [], ny: bigint[] = [];
    normalize(pts.slice(0, half), xs, ys, win * half);
    normalize([next], nx, ny, 0);
    bx = nx[0]!;
    by = ny[0]!;
  }
  return { w, windows, xs, ys };
}

/** acc += k·B for the table's B, 0 ≤ k < 2^256. `uniform`: one addition per window whatever the digits. */
export function accumulate(acc: Jac, t: CombTable, k: bigint, uniform: boolean): void {
  const { w, windows, xs, ys } = t;
  const half = 1 << (w - 1);
  const full = 1 << w;
  const mask = BigInt(full - 1);
  const shift = BigInt(w);
  const dummy: Jac | undefined = uniform ? { x: 0n, y: 0n, z: 0n } : undefined;
  let carry = 0;
  for (let win = 0; win < windows; win++) {
    let d = Number(k & mask) + carry;
    k >>= shift;
    if (d > half) {
      d -= full;
      carry = 1;
    } else carry = 0;
    if (d === 0) {
      if (dummy) madd(dummy, xs[0]!, ys[0]!);
      continue;
    }
    const idx = win * half + (d < 0 ? -d : d) - 1;
    const y = ys[idx]!;
    madd(acc, xs[idx]!, d < 0 ? P - y : y);
  }
  if (carry !== 0 || k !== 0n) throw new RangeError('"k" expected 0..2^256-1');
}

/** Affine x of a Jacobian point (one inversion); undefined at infinity. */
export function affineX(a: Jac): bigint | undefined {
  if (a.z === 0n) return undefined;
  const zi = invP(a.z);
  return (a.x * ((zi * zi) % P)) % P;
}

/** Affine (x, y) of a Jacobian point; undefined at infinity. */
export function affine(a: Jac): { x: bigint; y: bigint } | undefined {
  if (a.z === 0n) return undefined;
  const zi = invP(a.z);
  const zi2 = (zi * zi) % P;
  return { x: (a.x * zi2) % P, y: (((a.y * zi2) % P) * zi) % P };
}

/** Whether (x, y) is an affine point of P-256: coordinates in 0..p-1 and y² = x³ - 3x + b. */
export function onCurve(x: bigint, y: bigint): boolean {
  if (x < 0n || x >= P || y < 0n || y >= P) return false;
  const rhs = (((x * x) % P) * x - 3n * x + B) % P;
  return (y * y) % P === (rhs < 0n ? rhs + P : rhs);
}
