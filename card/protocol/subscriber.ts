/**
 * The subscriber's identity as the applets and the back end share it (issue 18, seed 000): the IMSI
 * hash — SHA-256 of the IMSI's decimal digits as ASCII — which the SIM publishes after a successful
 * authentication, the payment record signs and the e-wallet is bound to. The IMSI itself never
 * leaves the SIM through these paths; the AuC, which knows the IMSI, computes the same hash.
 */
import { sha256 } from '../algorithms/index.js';

/** SHA-256 of the IMSI's decimal digits as ASCII (at most 15, TS 23.003 §2.2). */
export function imsiHash(imsi: string): Uint8Array {
  if (!/^\d{1,15}$/.test(imsi)) throw new RangeError(`imsiHash: "imsi" expected 1..15 decimal digits, got ${JSON.stringify(imsi)}`);
  return sha256(Uint8Array.from(imsi, (c) => c.charCodeAt(0)));
}
