/**
 * GSM-MILENAGE: A3/A8 built on MILENAGE (3GPP TS 55.205 §4): SRES and a 64-bit Kc from Ki, OPc
 * and RAND, so that a SIM gives the same answers as a USIM in the GSM security context.
 *
 * TS 55.205 §4 offers two SRES derivation functions on the 64-bit f2 output RES:
 *  - #1 (default, and what c2 of TS 33.102 §6.8.1.2 gives for an 8-byte RES):
 *    SRES = RES[0..31] ⊕ RES[32..63];
 *  - #2: SRES = RES[0..31].
 * Kc = c3(CK, IK) with CK = f3, IK = f4.
 */

import { bytesOf } from './check.js';
import { c2, c3 } from './conversion.js';
import { f2345, type OperatorVariant } from './milenage.js';
import type { GsmAuthOutput } from './types.js';

export type SresDerivation = 1 | 2;

export function gsmMilenage(
  ki: Uint8Array,
  opc: OperatorVariant,
  rand: Uint8Array,
  sresDerivation: SresDerivation = 1,
): GsmAuthOutput {
  if (sresDerivation !== 1 && sresDerivation !== 2) {
    throw new RangeError(`"sresDerivation" expected 1..2, got ${String(sresDerivation)}`);
  }
  const { res, ck, ik } = f2345(bytesOf('ki', ki, 16), opc, rand);
  return { sres: sresDerivation === 1 ? c2(res) : res.slice(0, 4), kc: c3(ck, ik) };
}
