/**
 * Conversion functions between the UMTS and GSM security contexts (3GPP TS 33.102 §6.8.1.2):
 * c2 (RES → SRES), c3 (CK, IK → Kc), c4 (Kc → CK), c5 (Kc → IK).
 */

import { bytesBetween, bytesOf } from './check.js';

/**
 * c2: SRES = XRES*1 ⊕ XRES*2 ⊕ XRES*3 ⊕ XRES*4, where XRES* is RES (4..16 bytes, TS 33.102
 * §6.3.2) padded with zeros to 16 bytes and XRES*i are its four 4-byte parts.
 */
export function c2(res: Uint8Array): Uint8Array {
  bytesBetween('res', res, 4, 16);
  const sres = new Uint8Array(4);
  for (let i = 0; i < res.length; i++) sres[i & 3]! ^= res[i]!;
  return sres;
}

/** c3: Kc = CK1 ⊕ CK2 ⊕ IK1 ⊕ IK2, the 8-byte halves of CK and IK. */
export function c3(ck: Uint8Array, ik: Uint8Array): Uint8Array {
  bytesOf('ck', ck, 16);
  bytesOf('ik', ik, 16);
  const kc = new Uint8Array(8);
  for (let i = 0; i < 8; i++) kc[i] = ck[i]! ^ ck[i + 8]! ^ ik[i]! ^ ik[i + 8]!;
  return kc;
}

/** c4: CK = Kc || Kc. */
export function c4(kc: Uint8Array): Uint8Array {
  bytesOf('kc', kc, 8);
  const ck = new Uint8Array(16);
  ck.set(kc, 0);
  ck.set(kc, 8);
  return ck;
}

/** c5: IK = (Kc1 ⊕ Kc2) || Kc || (Kc1 ⊕ Kc2), Kc1 and Kc2 the 4-byte halves of Kc. */
export function c5(kc: Uint8Array): Uint8Array {
  bytesOf('kc', kc, 8);
  const ik = new Uint8Array(16);
  for (let i = 0; i < 4; i++) {
    const x = kc[i]! ^ kc[i + 4]!;
    ik[i] = x;
    ik[i + 12] = x;
  }
  ik.set(kc, 4);
  return ik;
}
