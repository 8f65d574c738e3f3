/**
 * XOR-2G: the GSM test algorithm for A3/A8 of 3GPP TS 51.010-1 Annex 4 (A.4.1.2), used by test
 * SIMs: RES1 = Ki ⊕ RAND (128 bits); SRES = RES1 bits 0..31; Kc = RES1 bits 32..95.
 * Not a security algorithm.
 */

import { bytesOf } from './check.js';
import type { GsmAuthOutput } from './types.js';

export function xor2g(ki: Uint8Array, rand: Uint8Array): GsmAuthOutput {
  bytesOf('ki', ki, 16);
  bytesOf('rand', rand, 16);
  const res1 = new Uint8Array(16);
  for (let i = 0; i < 16; i++) res1[i] = ki[i]! ^ rand[i]!;
  return { sres: res1.slice(0, 4), kc: res1.slice(4, 12) };
}
