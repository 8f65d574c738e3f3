/**
 * Short command APDUs as the secure channel sees them: header, data, Le (ISO/IEC 7816-3 §12.1).
 * Secure messaging here uses short lengths only (GP Card Spec §E.4.4 / Amendment D §6.2.4: the
 * wrapped Lc must still fit one byte), so an extended APDU is refused, not truncated.
 */
import { GpError } from './errors.js';

export interface PlainApdu {
  readonly cla: number;
  readonly ins: number;
  readonly p1: number;
  readonly p2: number;
  readonly data: Uint8Array;
  /** The Le byte, or undefined for case 1 / 3. */
  readonly le: number | undefined;
}

export function splitApdu(apdu: Uint8Array): PlainApdu {
  const [cla, ins, p1, p2] = [apdu[0]!, apdu[1]!, apdu[2]!, apdu[3]!];
  if (apdu.length < 4) throw new GpError('GP_BAD_OPTION', `command APDU of ${apdu.length} bytes: at least CLA INS P1 P2 are needed`);
  if (apdu.length === 4) return { cla, ins, p1, p2, data: new Uint8Array(0), le: undefined };
  if (apdu.length === 5) return { cla, ins, p1, p2, data: new Uint8Array(0), le: apdu[4]! };
  const lc = apdu[4]!;
  if (lc === 0) throw new GpError('GP_BAD_OPTION', 'extended-length APDUs cannot go through an SCP02/SCP03 secure channel (short lengths only)');
  if (apdu.length === 5 + lc) return { cla, ins, p1, p2, data: apdu.slice(5), le: undefined };
  if (apdu.length === 6 + lc) return { cla, ins, p1, p2, data: apdu.slice(5, 5 + lc), le: apdu[5 + lc]! };
  throw new GpError('GP_BAD_OPTION', `command APDU: Lc=${lc} disagrees with the ${apdu.length - 5} bytes after the header`);
}

export function joinApdu(cla: number, ins: number, p1: number, p2: number, data: Uint8Array, le: number | undefined): Uint8Array {
  if (data.length > 255) throw new GpError('GP_BAD_OPTION', `the wrapped command data would be ${data.length} bytes; a secure-channel command carries at most 255 (send less data per command)`);
  const out = new Uint8Array(4 + (data.length ? 1 + data.length : 0) + (le === undefined ? 0 : 1));
  out.set([cla, ins, p1, p2]);
  if (data.length) {
    out[4] = data.length;
    out.set(data, 5);
  }
  if (le !== undefined) out[out.length - 1] = le;
  return out;
}

/** CLA with the secure-messaging bit: b3 for the first interindustry/proprietary channels 0..3. */
export function smCla(cla: number): number {
  if ((cla & 0x40) !== 0) throw new GpError('GP_BAD_OPTION', `CLA ${cla.toString(16).padStart(2, '0')}: secure messaging on logical channels 4..19 is not supported; use channels 0..3`);
  return cla | 0x04;
}
