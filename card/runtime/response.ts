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

/** A fresh 2-byte response holding `sw` (the caller owns it). */
export function swBytes(sw: number): Uint8Array {
  const r = new Uint8Array(2);
  r[0] = sw >> 8;
  r[1] = sw & 0xff;
  return r;
}

/** A fresh response: `data` then `sw` (the caller owns it; the one copy of the data). */
export function withSw(data: Uint8Array, sw: number): Uint8Array {
  const n = data.length;
  const r = new Uint8Array(n + 2);
  // TypedArray.prototype.set costs more than a loop below a few dozen bytes (the common answer).
  if (n <= 64) for (let i = 0; i < n; i++) r[i] = data[i]!;
  else r.set(data);
  r[n] = sw >> 8;
  r[n + 1] = sw & 0xff;
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

/** Where the shaping functions leave the data still held (the card's Responder): no result object per command. */
export interface PendingSink {
  pending: Pending | null;
}

/**
 * Shape the answer to a command. `ne` is 0 when Le was absent; `t0` selects the T=0 rules;
 * `gsm` the class-A0 status words; `shortForm` tells whether 6Cxx may be used.
 */
export function deliver(channel: number, data: Uint8Array, sw: number, ne: number, t0: boolean, gsm: boolean, shortForm: boolean, apduCase: number, prefix = false): DeliverResult {
  const sink: PendingSink = { pending: null };
  const response = deliverTo(sink, channel, data, sw, ne, t0, gsm, shortForm, apduCase, prefix);
  return { response, pending: sink.pending };
}

/** deliver() that sets `sink.pending` (null when nothing is held) and returns the response. */
export function deliverTo(sink: PendingSink, channel: number, data: Uint8Array, sw: number, ne: number, t0: boolean, gsm: boolean, shortForm: boolean, apduCase: number, prefix = false): Uint8Array {
  const na = data.length;
  sink.pending = null;
  // Class A0 always runs the T=0 rules (TS 51.011 §9.1: P3 is the length), whatever the reader.
  if (gsm) t0 = true;
  if (na === 0) return swBytes(sw);
  // Le absent, or T=0 case 4 (the reader never sends Le): hold and announce.
  if (ne === 0 || (t0 && apduCase === 4)) {
    sink.pending = { channel, data, sw };
    return swBytes(moreSw(gsm, na));
  }
  if (na === ne) return withSw(data, sw);
  if (na < ne) {
    // T=0 transfers exactly P3 bytes: the card must ask for the right Le.
    if (t0 && shortForm) return swBytes(wrongLeSw(gsm, na));
    return withSw(data, sw);
  }
  // na > ne. A class-A0 answer that may be cut (STATUS, TS 51.011 §9.2.2) is: the SIM returns the
  // first P3 bytes — GSM handsets poll STATUS with P3=16 (22) whatever the DF response's length.
  // Any other command gets 67xx with the right length (§9.4.6).
  if (gsm && prefix) return withSw(data.subarray(0, ne), sw);
  if (shortForm && na <= 256 && ne < 256) return swBytes(wrongLeSw(gsm, na));
  const rest = data.subarray(ne);
  sink.pending = { channel, data: rest, sw };
  return withSw(data.subarray(0, ne), moreSw(gsm, rest.length));
}

/** GET RESPONSE against the held data (the caller checked channel and P1-P2). */
export function getResponse(p: Pending, ne: number, t0: boolean, gsm: boolean): DeliverResult {
  const sink: PendingSink = { pending: null };
  const response = getResponseTo(sink, p, ne, t0, gsm);
  return { response, pending: sink.pending };
}

/** getResponse() that sets `sink.pending` and returns the response. */
export function getResponseTo(sink: PendingSink, p: Pending, ne: number, t0: boolean, gsm: boolean): Uint8Array {
  const avail = p.data.length;
  if (gsm) t0 = true;
  sink.pending = null;
  // TS 51.011 §9.2.18: GET RESPONSE returns the first P3 bytes of the response (A0 C0 00 00 16
  // after 9F17 gives 22 bytes and 9000); the rest is dropped.
  if (gsm && ne < avail) return withSw(p.data.subarray(0, ne), p.sw);
  if (ne > avail) {
    if (t0) {
      sink.pending = p;
      return swBytes(wrongLeSw(gsm, avail));
    }
    return withSw(p.data, p.sw);
  }
  if (ne === avail) return withSw(p.data, p.sw);
  const rest = p.data.subarray(ne);
  sink.pending = { channel: p.channel, data: rest, sw: p.sw };
  return withSw(p.data.subarray(0, ne), moreSw(gsm, rest.length));
}
