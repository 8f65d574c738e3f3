/**
 * XOR-3G: the test algorithm for the USIM's f1..f5* of 3GPP TS 34.108 §8.1.2, used by test USIMs
 * (not a security algorithm):
 *  - XDOUT = K ⊕ RAND (128 bits);
 *  - f2: RES = XDOUT bits 0..n-1 (n a whole number of bytes, 4..16; 16 by default);
 *  - f3: CK = XDOUT bits 8..127 || 0..7 (rotated left one byte);
 *  - f4: IK = XDOUT bits 16..127 || 0..15 (rotated left two bytes);
 *  - f5: AK = XDOUT bits 24..71;
 *  - f1: XMAC = XDOUT bits 0..63 ⊕ CDOUT, CDOUT = SQN || AMF.
 * The test algorithm has no separate f1* and f5*: MAC-S uses the f1 formula (with the dummy AMF
 * that AUTS calls for) and AK* = AK.
 */

import { bytesOf, intBetween } from './check.js';
import type { AkaFunctions, AkaOutput, F1Output, F2345Output } from './types.js';

function xdout(k: Uint8Array, rand: Uint8Array): Uint8Array {
  bytesOf('k', k, 16);
  bytesOf('rand', rand, 16);
  const x = new Uint8Array(16);
  for (let i = 0; i < 16; i++) x[i] = k[i]! ^ rand[i]!;
  return x;
}

function rotateBytes(x: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = x[(i + n) & 15]!;
  return out;
}

function mac(x: Uint8Array, sqn: Uint8Array, amf: Uint8Array): Uint8Array {
  bytesOf('sqn', sqn, 6);
  bytesOf('amf', amf, 2);
  const out = new Uint8Array(8);
  for (let i = 0; i < 6; i++) out[i] = x[i]! ^ sqn[i]!;
  out[6] = x[6]! ^ amf[0]!;
  out[7] = x[7]! ^ amf[1]!;
  return out;
}

/** f1 (= f1*): XMAC = XDOUT[0..63] ⊕ (SQN || AMF). */
export function xor3gF1(k: Uint8Array, rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): F1Output {
  const m = mac(xdout(k, rand), sqn, amf);
  return { macA: m, macS: m.slice() };
}

/** f2, f3, f4, f5. `resLength` in bytes, 4..16. */
export function xor3gF2345(k: Uint8Array, rand: Uint8Array, resLength = 16): F2345Output {
  intBetween('resLength', resLength, 4, 16);
  const x = xdout(k, rand);
  return { res: x.slice(0, resLength), ck: rotateBytes(x, 1), ik: rotateBytes(x, 2), ak: x.slice(3, 9) };
}

/** Every output in one run. */
export function xor3g(k: Uint8Array, rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array, resLength = 16): AkaOutput {
  const f = xor3gF2345(k, rand, resLength);
  const { macA, macS } = xor3gF1(k, rand, sqn, amf);
  return { ...f, macA, macS, akStar: f.ak.slice() };
}

/** XOR-3G as an AkaFunctions set for one subscriber. */
export function xor3gAka(k: Uint8Array, resLength = 16): AkaFunctions {
  const key = bytesOf('k', k, 16).slice();
  intBetween('resLength', resLength, 4, 16);
  return {
    algorithm: 'xor-3g',
    f1: (rand, sqn, amf) => xor3gF1(key, rand, sqn, amf),
    f2345: (rand) => xor3gF2345(key, rand, resLength),
    f5star: (rand) => xdout(key, rand).slice(3, 9),
  };
}
