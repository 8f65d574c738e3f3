/**
 * Resynchronisation token AUTS (3GPP TS 33.102 §6.3.3 and §6.3.5):
 * AUTS = Conc(SQN_MS) || MAC-S, Conc(SQN_MS) = SQN_MS ⊕ f5*(RAND),
 * MAC-S = f1*(SQN_MS || RAND || AMF*) with the dummy AMF* = 0x0000 (§6.3.3).
 * The USIM builds it; the AuC opens it to recover SQN_MS and checks MAC-S.
 */

import { equalBytes } from '../runtime/bytes.js';
import { bytesOf } from './check.js';
import { sqnFromBytes, sqnToBytes } from './sqn.js';
import type { AkaFunctions } from './types.js';

/** TS 33.102 §6.3.3: Conc(SQN_MS) (6) || MAC-S (8). */
export const AUTS_LENGTH = 14;

/** TS 33.102 §6.3.3: "the AMF used to calculate MAC-S assumes a dummy value of all zeros". */
const AMF_STAR = new Uint8Array(2);

/** USIM side: AUTS for SQN_MS (number or 6 bytes) and the RAND of the failed challenge. */
export function buildAuts(fns: AkaFunctions, rand: Uint8Array, sqnMs: number | Uint8Array): Uint8Array {
  const sqn = sqnMs instanceof Uint8Array ? bytesOf('sqnMs', sqnMs, 6) : sqnToBytes(sqnMs);
  const akStar = fns.f5star(rand);
  const { macS } = fns.f1(rand, sqn, AMF_STAR);
  const auts = new Uint8Array(AUTS_LENGTH);
  for (let i = 0; i < 6; i++) auts[i] = sqn[i]! ^ akStar[i]!;
  auts.set(macS, 6);
  return auts;
}

export interface OpenedAuts {
  /** SQN_MS recovered with f5*, as 6 bytes and as a number. */
  readonly sqnMs: Uint8Array;
  readonly sqnMsValue: number;
  /** XMAC-S equals MAC-S (compared in constant time): only then may the AuC resynchronise. */
  readonly macOk: boolean;
}

/** AuC side: recover SQN_MS from AUTS and verify MAC-S. */
export function openAuts(fns: AkaFunctions, rand: Uint8Array, auts: Uint8Array): OpenedAuts {
  bytesOf('auts', auts, AUTS_LENGTH);
  const akStar = fns.f5star(rand);
  const sqnMs = new Uint8Array(6);
  for (let i = 0; i < 6; i++) sqnMs[i] = auts[i]! ^ akStar[i]!;
  const { macS } = fns.f1(rand, sqnMs, AMF_STAR);
  return { sqnMs, sqnMsValue: sqnFromBytes(sqnMs), macOk: equalBytes(macS, auts.subarray(6, 14)) };
}
