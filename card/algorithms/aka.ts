/**
 * UMTS AKA message construction over any f1..f5* set (3GPP TS 33.102 §6.3.2, §6.3.3):
 * the AuC's authentication vector with AUTN = SQN ⊕ AK || AMF || MAC, and the USIM's opening of
 * AUTN (recover SQN, check MAC). SQN freshness is a separate step (sqn.ts).
 */

import { equalBytes } from '../runtime/bytes.js';
import { bytesOf } from './check.js';
import type { AkaFunctions } from './types.js';

/** TS 33.102 §6.3.2: AUTN = SQN ⊕ AK (6) || AMF (2) || MAC (8). */
export const AUTN_LENGTH = 16;

/** The AuC's authentication vector (TS 33.102 §6.3.2). */
export interface AuthVector {
  readonly rand: Uint8Array;
  readonly xres: Uint8Array;
  readonly ck: Uint8Array;
  readonly ik: Uint8Array;
  readonly autn: Uint8Array;
}

/** AuC side: RAND, XRES, CK, IK, AUTN for the given SQN and AMF. */
export function generateAuthVector(fns: AkaFunctions, rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): AuthVector {
  bytesOf('sqn', sqn, 6);
  bytesOf('amf', amf, 2);
  const { macA } = fns.f1(rand, sqn, amf);
  const { res, ck, ik, ak } = fns.f2345(rand);
  const autn = new Uint8Array(AUTN_LENGTH);
  for (let i = 0; i < 6; i++) autn[i] = sqn[i]! ^ ak[i]!;
  autn.set(amf, 6);
  autn.set(macA, 8);
  return { rand: rand.slice(), xres: res, ck, ik, autn };
}

/** What the USIM learns from AUTN (TS 33.102 §6.3.3). */
export interface OpenedAutn {
  /** SQN recovered with AK (6 bytes): still to be checked for freshness. */
  readonly sqn: Uint8Array;
  readonly amf: Uint8Array;
  /** XMAC = f1(SQN, RAND, AMF) equals the MAC in AUTN (compared in constant time). */
  readonly macOk: boolean;
  /** RES, CK, IK: to be released only if the MAC and SQN checks pass. */
  readonly res: Uint8Array;
  readonly ck: Uint8Array;
  readonly ik: Uint8Array;
}

/** USIM side: recover SQN from AUTN and verify its MAC. */
export function openAutn(fns: AkaFunctions, rand: Uint8Array, autn: Uint8Array): OpenedAutn {
  bytesOf('autn', autn, AUTN_LENGTH);
  const { res, ck, ik, ak } = fns.f2345(rand);
  const sqn = new Uint8Array(6);
  for (let i = 0; i < 6; i++) sqn[i] = autn[i]! ^ ak[i]!;
  const amf = autn.slice(6, 8);
  const { macA } = fns.f1(rand, sqn, amf);
  return { sqn, amf, macOk: equalBytes(macA, autn.subarray(8, 16)), res, ck, ik };
}
