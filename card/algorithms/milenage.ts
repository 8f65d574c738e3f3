/**
 * MILENAGE: the 3GPP authentication and key generation functions f1, f1*, f2, f3, f4, f5, f5*
 * (3GPP TS 35.206 §4.1, kernel E_K = AES-128), and OPc derivation (§4.1: OPc = OP ⊕ E_K(OP)).
 * Checked against the implementers' test data of TS 35.207.
 *
 * Every function takes the operator variant either as OPc bytes or as `{ op }` / `{ opc }`.
 * `{ op }` costs one extra AES block per call: resolve it once with `resolveOpc` in a loop.
 */

import { aes128EncryptInto, aes128EncryptWords, aes128KeyCached, aes128ExpandKey, type Aes128Key } from './aes128.js';
import { bytesOf } from './check.js';
import type { AkaFunctions, AkaOutput, F1Output, F2345Output } from './types.js';

/** OPc bytes, or OP / OPc named explicitly. */
export type OperatorVariant = Uint8Array | { readonly op: Uint8Array } | { readonly opc: Uint8Array };

/** TS 35.206 §4.1: rotation amounts r1..r5 in bits (64, 0, 32, 64, 96), kept here in bytes. */
const R1 = 8;
const R2 = 0;
const R3 = 4;
const R4 = 8;
const R5 = 12;
/**
 * TS 35.206 §4.1: constants c1..c5 (128 bits): c1 = 0, c2 = 0…01, c3 = 0…02, c4 = 0…04,
 * c5 = 0…08. Only the last byte is non-zero, so only that byte is kept.
 */
const C1 = 0x00;
const C2 = 0x01;
const C3 = 0x02;
const C4 = 0x04;
const C5 = 0x08;

/** All outputs of one MILENAGE run (TS 35.206 §4.1): RES is 8 bytes. */
export type MilenageOutput = AkaOutput;

/** OPc = OP ⊕ E_K(OP) (TS 35.206 §4.1). */
export function computeOpc(k: Uint8Array, op: Uint8Array): Uint8Array {
  bytesOf('k', k, 16);
  bytesOf('op', op, 16);
  return opcWith(aes128KeyCached(k), op);
}

function opcWith(key: Aes128Key, op: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  aes128EncryptInto(key, op, 0, out, 0);
  for (let i = 0; i < 16; i++) out[i]! ^= op[i]!;
  return out;
}

/** The OPc for `k`, whichever form the operator variant was given in (always a new array). */
export function resolveOpc(k: Uint8Array, variant: OperatorVariant): Uint8Array {
  return resolveWith(aes128KeyCached(bytesOf('k', k, 16)), variant).slice();
}

function resolveWith(key: Aes128Key, variant: OperatorVariant): Uint8Array {
  if (variant instanceof Uint8Array) return bytesOf('opc', variant, 16);
  if (variant !== null && typeof variant === 'object') {
    if ('opc' in variant) return bytesOf('opc', variant.opc, 16);
    if ('op' in variant) return opcWith(key, bytesOf('op', variant.op, 16));
  }
  throw new TypeError(`"opc" expected Uint8Array, { op } or { opc }, got ${variant === null ? 'null' : typeof variant}`);
}

/**
 * MILENAGE with K already expanded and OPc known: the form the hot paths use. Build one with
 * `milenageKernel(k, opc)`; it holds no mutable state and can be shared.
 */
export interface MilenageKernel {
  readonly key: Aes128Key;
  readonly opc: Uint8Array;
}

export function milenageKernel(k: Uint8Array, opc: OperatorVariant): MilenageKernel {
  const key = aes128ExpandKey(bytesOf('k', k, 16));
  return { key, opc: resolveWith(key, opc).slice() };
}

function kernelOf(k: Uint8Array, opc: OperatorVariant): MilenageKernel {
  const key = aes128KeyCached(bytesOf('k', k, 16));
  return { key, opc: resolveWith(key, opc) };
}

/**
 * TEMP = E_K(RAND ⊕ OPc) (TS 35.206 §4.1), the block f1, f1* and f2..f5* all start from: compute
 * it once per RAND and pass it to the kernel functions (issue 20: the USIM's AUTHENTICATE needs
 * f2345, then f1 over the same RAND).
 */
export function kernelTemp(m: MilenageKernel, rand: Uint8Array): Uint8Array {
  checkRand(rand);
  return temp(m, rand);
}

function temp(m: MilenageKernel, rand: Uint8Array): Uint8Array {
  const t = new Uint8Array(16);
  for (let i = 0; i < 16; i++) t[i] = rand[i]! ^ m.opc[i]!;
  aes128EncryptInto(m.key, t, 0, t, 0);
  return t;
}

/** OUT1 = E_K(TEMP ⊕ rot(IN1 ⊕ OPc, r1) ⊕ c1) ⊕ OPc, IN1 = SQN || AMF || SQN || AMF. */
function out1(m: MilenageKernel, t: Uint8Array, sqn: Uint8Array, amf: Uint8Array): Uint8Array {
  const in1 = new Uint8Array(16);
  in1.set(sqn, 0);
  in1.set(amf, 6);
  in1.set(sqn, 8);
  in1.set(amf, 14);
  const x = new Uint8Array(16);
  for (let i = 0; i < 16; i++) x[i] = t[i]! ^ in1[(i + R1) & 15]! ^ m.opc[(i + R1) & 15]!;
  x[15]! ^= C1;
  aes128EncryptInto(m.key, x, 0, x, 0);
  for (let i = 0; i < 16; i++) x[i]! ^= m.opc[i]!;
  return x;
}

/** OUTn = E_K(rot(TEMP ⊕ OPc, r) ⊕ c) ⊕ OPc, for n = 2..5. */
function outN(m: MilenageKernel, t: Uint8Array, r: number, c: number): Uint8Array {
  const x = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const j = (i + r) & 15;
    x[i] = t[j]! ^ m.opc[j]!;
  }
  x[15]! ^= c;
  aes128EncryptInto(m.key, x, 0, x, 0);
  for (let i = 0; i < 16; i++) x[i]! ^= m.opc[i]!;
  return x;
}

function checkRand(rand: Uint8Array): void {
  bytesOf('rand', rand, 16);
}
function checkSqnAmf(sqn: Uint8Array, amf: Uint8Array): void {
  bytesOf('sqn', sqn, 6);
  bytesOf('amf', amf, 2);
}

/** f1 and f1* over a kernel (`t`: kernelTemp(m, rand), when already computed): MAC-A = OUT1[0..63], MAC-S = OUT1[64..127]. */
export function kernelF1(
  m: MilenageKernel,
  rand: Uint8Array,
  sqn: Uint8Array,
  amf: Uint8Array,
  t?: Uint8Array,
): F1Output {
  checkRand(rand);
  checkSqnAmf(sqn, amf);
  const o1 = out1(m, t ?? temp(m, rand), sqn, amf);
  return { macA: o1.slice(0, 8), macS: o1.slice(8, 16) };
}

/** f2, f3, f4, f5 over a kernel (`temp`: kernelTemp(m, rand), when already computed). */
export function kernelF2345(m: MilenageKernel, rand: Uint8Array, temp_?: Uint8Array): F2345Output {
  checkRand(rand);
  const t = temp_ ?? temp(m, rand);
  const o2 = outN(m, t, R2, C2);
  return {
    res: o2.slice(8, 16), // f2 = OUT2[64..127]
    ck: outN(m, t, R3, C3), // f3 = OUT3
    ik: outN(m, t, R4, C4), // f4 = OUT4
    ak: o2.slice(0, 6), // f5 = OUT2[0..47]
  };
}

/**
 * Where kernelOpenAutnInto leaves its results in the caller's scratch array (issue 20: USIM
 * AUTHENTICATE without per-command arrays): TEMP, OUT2 (f5 = AK in bytes 0..5, f2 = RES in 8..15),
 * CK (OUT3), IK (OUT4), OUT1 (MAC-A in 0..7, MAC-S in 8..15), SQN = first 6 bytes of AUTN ⊕ AK.
 */
export const AUTN_SCRATCH = { temp: 0, out2: 16, res: 24, ck: 32, ik: 48, out1: 64, sqn: 80, length: 86 } as const;

/**
 * Open AUTN (TS 33.102 §6.3.3) with Milenage in 5 AES blocks and no allocation: TEMP once, f2345,
 * SQN = SQN⊕AK ⊕ AK, then f1 over SQN and AUTN's AMF; the results land in `scratch` at the
 * AUTN_SCRATCH offsets. Returns whether MAC-A equals AUTN's MAC. The same bytes as kernelTemp,
 * kernelF2345 and kernelF1 (test/algorithms/milenage.test.ts compares them on the 3GPP sets).
 */
export function kernelOpenAutnInto(m: MilenageKernel, rand: Uint8Array, autn: Uint8Array, scratch: Uint8Array): boolean {
  checkRand(rand);
  bytesOf('autn', autn, 16);
  return kernelOpenAutnAt(m, rand, 0, autn, 0, scratch);
}

function bytesAt(name: string, b: Uint8Array, at: number, length: number): void {
  if (!(b instanceof Uint8Array)) throw new TypeError(`"${name}" expected Uint8Array, got ${typeof b}`);
  if (!(Number.isInteger(at) && at >= 0 && at + length <= b.length)) throw new RangeError(`"${name}" expected ${length} bytes at offset ${at}, got ${b.length} bytes in all`);
}

/** The big-endian word at b[o..o+3]. */
function be32(b: Uint8Array, o: number): number {
  return (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
}

/** Word `w` big-endian into b[o..o+3]. */
function put32(b: Uint8Array, o: number, w: number): void {
  b[o] = w >>> 24;
  b[o + 1] = w >>> 16;
  b[o + 2] = w >>> 8;
  b[o + 3] = w;
}

/** AES outputs of kernelOpenAutnAt, as words: TEMP 0..3, OUT2 4..7, OUT3 8..11, OUT4 12..15, OUT1 16..19; zeroed after each call. */
const OW = new Int32Array(20);

/**
 * kernelOpenAutnInto over RAND at `rand[randAt..+16]` and AUTN at `autn[autnAt..+16]`, so a caller
 * can pass the command data as it is (the USIM: RAND at 1, AUTN at 18) without making subarrays.
 * Every XOR runs on big-endian 32-bit words held in locals, fed to the AES rounds as words
 * (aes128EncryptWords): the rotations r1..r4 are whole words and c1..c4 touch only the last one.
 */
export function kernelOpenAutnAt(m: MilenageKernel, rand: Uint8Array, randAt: number, autn: Uint8Array, autnAt: number, scratch: Uint8Array): boolean {
  bytesAt('rand', rand, randAt, 16);
  bytesAt('autn', autn, autnAt, 16);
  bytesOf('scratch', scratch, AUTN_SCRATCH.length);
  const S = AUTN_SCRATCH;
  const key = m.key;
  const opc = m.opc;
  const o0 = be32(opc, 0), o1 = be32(opc, 4), o2 = be32(opc, 8), o3 = be32(opc, 12);
  try {
    // TEMP = E_K(RAND ⊕ OPc).
    aes128EncryptWords(key, be32(rand, randAt) ^ o0, be32(rand, randAt + 4) ^ o1, be32(rand, randAt + 8) ^ o2, be32(rand, randAt + 12) ^ o3, OW, 0);
    const x0 = OW[0]! ^ o0, x1 = OW[1]! ^ o1, x2 = OW[2]! ^ o2, x3 = OW[3]! ^ o3; // TEMP ⊕ OPc
    // OUTn = E_K(rot(TEMP ⊕ OPc, rn) ⊕ cn) ⊕ OPc: r2 = 0, r3 = 32, r4 = 64 bits; c2 = 1, c3 = 2, c4 = 4.
    aes128EncryptWords(key, x0, x1, x2, x3 ^ C2, OW, 4);
    aes128EncryptWords(key, x1, x2, x3, x0 ^ C3, OW, 8);
    aes128EncryptWords(key, x2, x3, x0, x1 ^ C4, OW, 12);
    for (let i = 4; i < 16; i += 4) {
      OW[i] = OW[i]! ^ o0;
      OW[i + 1] = OW[i + 1]! ^ o1;
      OW[i + 2] = OW[i + 2]! ^ o2;
      OW[i + 3] = OW[i + 3]! ^ o3;
    }
    // SQN = (SQN ⊕ AK) ⊕ AK, AK = OUT2[0..5]; q0 = SQN[0..3], q1 = SQN[4..5] ‖ AMF.
    const q0 = be32(autn, autnAt) ^ OW[4]!;
    const q1 = (be32(autn, autnAt + 4) ^ (OW[5]! & 0xffff0000));
    // OUT1 = E_K(TEMP ⊕ rot(IN1 ⊕ OPc, r1) ⊕ c1) ⊕ OPc, IN1 = q0 q1 q0 q1, r1 = 64 bits, c1 = 0.
    aes128EncryptWords(key, OW[0]! ^ q0 ^ o2, OW[1]! ^ q1 ^ o3, OW[2]! ^ q0 ^ o0, OW[3]! ^ q1 ^ o1, OW, 16);
    OW[16] = OW[16]! ^ o0;
    OW[17] = OW[17]! ^ o1;
    OW[18] = OW[18]! ^ o2;
    OW[19] = OW[19]! ^ o3;
    for (let i = 0; i < 16; i++) put32(scratch, i * 4, OW[i]!);
    for (let i = 0; i < 4; i++) put32(scratch, S.out1 + i * 4, OW[16 + i]!);
    put32(scratch, S.sqn, q0);
    scratch[S.sqn + 4] = q1 >>> 24;
    scratch[S.sqn + 5] = q1 >>> 16;
    return ((OW[16]! ^ be32(autn, autnAt + 8)) | (OW[17]! ^ be32(autn, autnAt + 12))) === 0;
  } finally {
    OW.fill(0);
  }
}

/** f5* over a kernel: OUT5[0..47]. */
export function kernelF5star(m: MilenageKernel, rand: Uint8Array, t?: Uint8Array): Uint8Array {
  checkRand(rand);
  return outN(m, t ?? temp(m, rand), R5, C5).slice(0, 6);
}

/** Every MILENAGE output over a kernel: 6 AES blocks (TEMP, OUT1..OUT5). */
export function kernelMilenage(m: MilenageKernel, rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): MilenageOutput {
  checkRand(rand);
  checkSqnAmf(sqn, amf);
  const t = temp(m, rand);
  const o1 = out1(m, t, sqn, amf);
  const o2 = outN(m, t, R2, C2);
  return {
    macA: o1.slice(0, 8),
    macS: o1.slice(8, 16),
    res: o2.slice(8, 16),
    ck: outN(m, t, R3, C3),
    ik: outN(m, t, R4, C4),
    ak: o2.slice(0, 6),
    akStar: outN(m, t, R5, C5).slice(0, 6),
  };
}

/** All of f1, f1*, f2, f3, f4, f5, f5* in one run. */
export function milenage(
  k: Uint8Array,
  opc: OperatorVariant,
  rand: Uint8Array,
  sqn: Uint8Array,
  amf: Uint8Array,
): MilenageOutput {
  return kernelMilenage(kernelOf(k, opc), rand, sqn, amf);
}

/** f1: MAC-A = OUT1[0..63]. */
export function f1(k: Uint8Array, opc: OperatorVariant, rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): Uint8Array {
  return kernelF1(kernelOf(k, opc), rand, sqn, amf).macA;
}

/** f1*: MAC-S = OUT1[64..127]. */
export function f1star(
  k: Uint8Array,
  opc: OperatorVariant,
  rand: Uint8Array,
  sqn: Uint8Array,
  amf: Uint8Array,
): Uint8Array {
  return kernelF1(kernelOf(k, opc), rand, sqn, amf).macS;
}

/** f2, f3, f4 and f5 in one run (they share OUT2). */
export function f2345(k: Uint8Array, opc: OperatorVariant, rand: Uint8Array): F2345Output {
  return kernelF2345(kernelOf(k, opc), rand);
}

/** f2: RES = OUT2[64..127] (8 bytes). */
export function f2(k: Uint8Array, opc: OperatorVariant, rand: Uint8Array): Uint8Array {
  const m = kernelOf(k, opc);
  checkRand(rand);
  return outN(m, temp(m, rand), R2, C2).slice(8, 16);
}

/** f3: CK = OUT3. */
export function f3(k: Uint8Array, opc: OperatorVariant, rand: Uint8Array): Uint8Array {
  const m = kernelOf(k, opc);
  checkRand(rand);
  return outN(m, temp(m, rand), R3, C3);
}

/** f4: IK = OUT4. */
export function f4(k: Uint8Array, opc: OperatorVariant, rand: Uint8Array): Uint8Array {
  const m = kernelOf(k, opc);
  checkRand(rand);
  return outN(m, temp(m, rand), R4, C4);
}

/** f5: AK = OUT2[0..47]. */
export function f5(k: Uint8Array, opc: OperatorVariant, rand: Uint8Array): Uint8Array {
  const m = kernelOf(k, opc);
  checkRand(rand);
  return outN(m, temp(m, rand), R2, C2).slice(0, 6);
}

/** f5*: AK for resynchronisation = OUT5[0..47]. */
export function f5star(k: Uint8Array, opc: OperatorVariant, rand: Uint8Array): Uint8Array {
  return kernelF5star(kernelOf(k, opc), rand);
}

/** MILENAGE as an AkaFunctions set for one subscriber (K expanded and OPc resolved once). */
export function milenageAka(k: Uint8Array, opc: OperatorVariant): AkaFunctions {
  const m = milenageKernel(k, opc);
  return {
    algorithm: 'milenage',
    f1: (rand, sqn, amf) => kernelF1(m, rand, sqn, amf),
    f2345: (rand) => kernelF2345(m, rand),
    f5star: (rand) => kernelF5star(m, rand),
  };
}
