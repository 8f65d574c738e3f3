/**
 * Response delivery rules, owned in one place (ISO/IEC 7816-3 §12.2 T=0 procedure, 7816-4 §5.3.4,
 * TS 51.011 §9.4 for the GSM class):
 * - data the command produced but may not return now (T=0 case 4, or Le absent) is held and
 *   announced with 61xx (9Fxx in class A0), then served by GET RESPONSE;
 * - a short Le that does not fit the data (or, on T=0, is not exact) → 6Cxx (67xx in class A0)
 *   carrying the exact length;
 * - data longer than Ne is returned in pieces: Ne bytes and 61xx for the rest;
 * - the command's own status word comes with the last piece.
 */
import { SW } from '../../apdu-specs/status-words.js';

export interface Pending {
  channel: number;
  data: Uint8Array;
  sw: number;
}

/** The status word of a response APDU (its last two bytes), or -1 when it is shorter than 2 bytes. */
export function responseSw(response: Uint8Array): number {
  const n = response.length;
  return n < 2 ? -1 : (response[n - 2]! << 8) | response[n - 1]!;
}

/** A response APDU split into its data (a view) and status word; RangeError without SW1 SW2. */
export function splitResponse(response: Uint8Array): { readonly data: Uint8Array; readonly sw: number } {
  if (response.length < 2) throw new RangeError(`splitResponse: "response" expected at least 2 bytes (SW1 SW2), got ${response.length}`);
  return { data: response.subarray(0, response.length - 2), sw: responseSw(response) };
}

export function swBytes(sw: number): Uint8Array {
  const r = new Uint8Array(2);
  r[0] = sw >> 8;
  r[1] = sw & 0xff;
  return r;
}

export function withSw(data: Uint8Array, sw: number): Uint8Array {
  const r = new Uint8Array(data.length + 2);
  r.set(data);
  r[data.length] = sw >> 8;
  r[data.length + 1] = sw & 0xff;
  return r;
}

/** 61xx (9Fxx in class A0): xx more bytes wait for GET RESPONSE (00: 256 or more). */
export function moreSw(gsm: boolean, remaining: number): number {
  return (gsm ? SW.GSM_RESPONSE_AVAILABLE : SW.BYTES_AVAILABLE) | (remaining >= 256 ? 0 : remaining);
}

function wrongLeSw(gsm: boolean, exact: number): number {
  return (gsm ? SW.GSM_WRONG_P3 : SW.WRONG_LE) | (exact & 0xff);
}

export interface DeliverResult {
  readonly response: Uint8Array;
  readonly pending: Pending | null;
}

/**
 * Shape the answer to a command. `ne` is 0 when Le was absent; `t0` selects the T=0 rules;
 * `gsm` the class-A0 status words; `shortForm` tells whether 6Cxx may be used.
 */
export function deliver(channel: number, data: Uint8Array, sw: number, ne: number, t0: boolean, gsm: boolean, shortForm: boolean, apduCase: number, prefix = false): DeliverResult {
  const na = data.length;
  // Class A0 always runs the T=0 rules (TS 51.011 §9.1: P3 is the length), whatever the reader.
  if (gsm) t0 = true;
  if (na === 0) return { response: swBytes(sw), pending: null };
  // Le absent, or T=0 case 4 (the reader never sends Le): hold and announce.
  if (ne === 0 || (t0 && apduCase === 4)) return { response: swBytes(moreSw(gsm, na)), pending: { channel, data, sw } };
  if (na === ne) return { response: withSw(data, sw), pending: null };
  if (na < ne) {
    // T=0 transfers exactly P3 bytes: the card must ask for the right Le.
    if (t0 && shortForm) return { response: swBytes(wrongLeSw(gsm, na)), pending: null };
    return { response: withSw(data, sw), pending: null };
  }
  // na > ne. A class-A0 answer that may be cut (STATUS, TS 51.011 §9.2.2) is: the SIM returns the
  // first P3 bytes — GSM handsets poll STATUS with P3=16 (22) whatever the DF response's length.
  // Any other command gets 67xx with the right length (§9.4.6).
  if (gsm && prefix) return { response: withSw(data.subarray(0, ne), sw), pending: null };
  if (shortForm && na <= 256 && ne < 256) return { response: swBytes(wrongLeSw(gsm, na)), pending: null };
  const rest = data.subarray(ne);
  return { response: withSw(data.subarray(0, ne), moreSw(gsm, rest.length)), pending: { channel, data: rest, sw } };
}

/** GET RESPONSE against the held data (the caller checked channel and P1-P2). */
export function getResponse(p: Pending, ne: number, t0: boolean, gsm: boolean): DeliverResult {
  const avail = p.data.length;
  if (gsm) t0 = true;
  // TS 51.011 §9.2.18: GET RESPONSE returns the first P3 bytes of the response (A0 C0 00 00 16
  // after 9F17 gives 22 bytes and 9000); the rest is dropped.
  if (gsm && ne < avail) return { response: withSw(p.data.subarray(0, ne), p.sw), pending: null };
  if (ne > avail) {
    if (t0) return { response: swBytes(wrongLeSw(gsm, avail)), pending: p };
    return { response: withSw(p.data, p.sw), pending: null };
  }
  if (ne === avail) return { response: withSw(p.data, p.sw), pending: null };
  const rest = p.data.subarray(ne);
  return { response: withSw(p.data.subarray(0, ne), moreSw(gsm, rest.length)), pending: { channel: p.channel, data: rest, sw: p.sw } };
}
