/**
 * Host-side T=0 response handling (ISO/IEC 7816-4 §5.3.4, TS 51.011 §9.4): a T=0 card announces
 * held data with 61xx (9Fxx for the GSM class A0) and wants GET RESPONSE; it rejects a wrong Le
 * with 6Cxx, asking for the command again with Le = xx. PC/SC passes these through untouched, so
 * every T=0 caller would repeat this loop; transports run it once, here, over a raw exchange.
 */
import { ISO7816 } from '../../apdu-specs/index.js';

export type RawExchange = (command: Uint8Array) => Promise<Uint8Array>;

/** Bound on GET RESPONSE rounds: 256 × 256 bytes covers any short-APDU chain; a card that keeps
 * answering 61xx beyond that is broken, and we stop instead of looping forever. */
const MAX_ROUNDS = 256;

/** The class byte GET RESPONSE must carry to reach the command's logical channel. */
export function getResponseCla(cla: number): number {
  if (cla === 0xa0) return 0xa0; // GSM SIM class (TS 51.011)
  if ((cla & 0x40) !== 0) return 0x40 | (cla & 0x0f); // further interindustry: channels 4..19
  return cla & 0x03; // first interindustry (and proprietary 8X mapped to it): channels 0..3
}

/** The command with its short Le replaced (or appended) — the 6Cxx retry. Undefined for extended APDUs. */
export function withLe(command: Uint8Array, le: number): Uint8Array | undefined {
  if (command.length < 4) return undefined;
  if (command.length === 4) return Uint8Array.of(...command, le);
  if (command.length === 5) return Uint8Array.of(...command.subarray(0, 4), le);
  const lc = command[4]!;
  if (lc === 0) return undefined; // extended length: 6Cxx does not apply
  if (command.length === 5 + lc) return Uint8Array.of(...command, le); // case 3 → 4
  if (command.length === 6 + lc) return Uint8Array.of(...command.subarray(0, 5 + lc), le);
  return undefined;
}

/**
 * Send `command`; follow 6Cxx once and 61xx/9Fxx until the card has delivered everything. The
 * result is the concatenated data with the final status word, as a T=1 card would have answered.
 */
export async function transmitT0(raw: RawExchange, command: Uint8Array): Promise<Uint8Array> {
  let rsp = await raw(command);
  if (rsp.length === 2 && rsp[0] === 0x6c) {
    const again = withLe(command, rsp[1]!);
    if (again) rsp = await raw(again);
  }
  const chunks: Uint8Array[] = [];
  const cla = getResponseCla(command[0] ?? 0);
  const ins = (cla === 0xa0 ? ISO7816.GSM_GET_RESPONSE : ISO7816.GET_RESPONSE).ins;
  for (let round = 0; round < MAX_ROUNDS && rsp.length >= 2; round++) {
    const sw1 = rsp[rsp.length - 2]!;
    const sw2 = rsp[rsp.length - 1]!;
    const more = sw1 === 0x61 || (sw1 === 0x9f && cla === 0xa0);
    if (!more) break;
    chunks.push(rsp.subarray(0, rsp.length - 2));
    rsp = await raw(Uint8Array.of(cla, ins, 0x00, 0x00, sw2));
  }
  if (chunks.length === 0) return rsp;
  const total = chunks.reduce((n, c) => n + c.length, 0) + rsp.length;
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks.concat([rsp])) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}
