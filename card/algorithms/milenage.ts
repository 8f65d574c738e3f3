/**
 * MILENAGE: the 3GPP authentication and key generation functions f1, f1*, f2, f3, f4, f5, f5*
 * (3GPP TS 35.206 §4.1, kernel E_K = AES-128), and OPc derivation (§4.1: OPc = OP ⊕ E_K(OP)).
 * Checked against the implementers' test data of TS 35.207.
 *
 * Every function takes the operator variant either as OPc bytes or as `{ op }` / `{ opc }`.
 * `{ op }` costs one extra AES block per call: resolve it once with `resolveOpc` in a loop.
 */

import { aes128EncryptInto, aes128KeyCached, aes128ExpandKey, type Aes128Key } from './aes128.js';
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
 * The working bytes of kernelOpenAutnInto: the scratch layout, then OPc at 96, in one 4-byte
 * aligned buffer so the XORs run on 32-bit words (the rotations r2..r4 are whole words); zeroed
 * after every call, the results copied out first.
 */
const W8 = new Uint8Array(112);
const W32 = new Uint32Array(W8.buffer);
const W_OPC = 24; // word index of OPc

/** OUTn (n = 2..4) into words at `at`: E_K(rot(TEMP ⊕ OPc, r) ⊕ c) ⊕ OPc, r = 4·`words` bytes. */
function outWords(key: Aes128Key, words: number, c: number, at: number): void {
  for (let i = 0; i < 4; i++) {
    const j = (i + words) & 3;
    W32[at + i] = W32[j]! ^ W32[W_OPC + j]!;
  }
  W8[at * 4 + 15]! ^= c;
  aes128EncryptInto(key, W8, at * 4, W8, at * 4);
  for (let i = 0; i < 4; i++) W32[at + i]! ^= W32[W_OPC + i]!;
}

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

/** The first `AUTN_SCRATCH.length` bytes of the work buffer (made once: no subarray per call). */
const W8_OUT = W8.subarray(0, AUTN_SCRATCH.length);

/**
 * kernelOpenAutnInto over RAND at `rand[randAt..+16]` and AUTN at `autn[autnAt..+16]`, so a caller
 * can pass the command data as it is (the USIM: RAND at 1, AUTN at 18) without making subarrays.
 */
export function kernelOpenAutnAt(m: MilenageKernel, rand: Uint8Array, randAt: number, autn: Uint8Array, autnAt: number, scratch: Uint8Array): boolean {
  bytesAt('rand', rand, randAt, 16);
  bytesAt('autn', autn, autnAt, 16);
  bytesOf('scratch', scratch, AUTN_SCRATCH.length);
  const S = AUTN_SCRATCH;
  const opc = m.opc;
  try {
    for (let i = 0; i < 16; i++) {
      W8[W_OPC * 4 + i] = opc[i]!;
      W8[S.temp + i] = rand[randAt + i]! ^ opc[i]!;
    }
    aes128EncryptInto(m.key, W8, S.temp, W8, S.temp);
    // R2 = 0, R3 = 4, R4 = 8 bytes: rotations by 0, 1 and 2 words.
    outWords(m.key, R2 >> 2, C2, S.out2 >> 2);
    outWords(m.key, R3 >> 2, C3, S.ck >> 2);
    outWords(m.key, R4 >> 2, C4, S.ik >> 2);
    for (let i = 0; i < 6; i++) W8[S.sqn + i] = autn[autnAt + i]! ^ W8[S.out2 + i]!;
    // OUT1 = E_K(TEMP ⊕ rot(IN1 ⊕ OPc, r1) ⊕ c1) ⊕ OPc, IN1 = SQN ‖ AMF ‖ SQN ‖ AMF (AMF = AUTN[6..7]);
    // r1 = 8 swaps the halves, and both halves of IN1 are SQN ‖ AMF.
    for (let i = 0; i < 8; i++) {
      const in1 = i < 6 ? W8[S.sqn + i]! : autn[autnAt + i]!;
      W8[S.out1 + i] = W8[S.temp + i]! ^ in1 ^ opc[i + 8]!;
      W8[S.out1 + 8 + i] = W8[S.temp + 8 + i]! ^ in1 ^ opc[i]!;
    }
    W8[S.out1 + 15]! ^= C1;
    aes128EncryptInto(m.key, W8, S.out1, W8, S.out1);
    for (let i = 0; i < 4; i++) W32[(S.out1 >> 2) + i]! ^= W32[W_OPC + i]!;
    let diff = 0;
    for (let i = 0; i < 8; i++) diff |= W8[S.out1 + i]! ^ autn[autnAt + 8 + i]!;
    scratch.set(W8_OUT);
    return diff === 0;
  } finally {
    W8.fill(0);
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
