/**
 * APDUs with their direction said explicitly, for captures: Wireshark's "exported PDU" link type
 * (LINKTYPE_WIRESHARK_UPPER_PDU, 252; wiretap's exported_pdu.h) naming the "iso7816" dissector,
 * with the P2P-direction tag (35: 0 = sent, interface → card, a command; 1 = received, card →
 * interface, a response). Wireshark's ISO 7816 dissector decodes only when that direction is set.
 * There is no link type of ISO 7816 APDUs of its own (264 is LINKTYPE_ISO_14443, contactless
 * frames), and GSMTAP-SIM carries T=0 TPDUs whose direction the reader infers from the INS, so
 * this is the encapsulation for what GSMTAP cannot hold exactly: case-4 commands with their Le,
 * extended lengths, commands without responses, data moving against the INS's usual direction.
 * GSMTAP may also travel inside it (dissector table "udp.port", value 4729), which is how a
 * classic pcap, with one link type for the whole file, mixes both.
 */
import { readU16, readU32, u32, writeU16 } from '../../../card/runtime/index.js';

export const LINKTYPE_UPPER_PDU = 252;

const TAG = { END: 0, PROTO_NAME: 12, TABLE_NAME: 14, TABLE_VALUE: 32, P2P_DIR: 35 } as const;
const P2P_SENT = 0;
const P2P_RECV = 1;

export type UpperPdu =
  | { readonly kind: 'command'; readonly apdu: Uint8Array }
  | { readonly kind: 'response'; readonly data: Uint8Array }
  | { readonly kind: 'atr'; readonly atr: Uint8Array }
  | { readonly kind: 'gsmtap'; readonly payload: Uint8Array };

const enc = new TextEncoder();

function tag(t: number, value: Uint8Array): Uint8Array {
  // Values are padded to 32 bits; the length field counts the padding (as Wireshark writes it).
  const pad = (value.length + 3) & ~3;
  const out = new Uint8Array(4 + pad);
  writeU16(out, 0, t);
  writeU16(out, 2, pad);
  out.set(value, 4);
  return out;
}

function join(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The link-layer packet (type 252) for a command, a response, an ATR ("iso7816.atr") or a GSMTAP payload. */
export function upperPdu(p: UpperPdu): Uint8Array {
  const end = new Uint8Array(4); // END tag, length 0
  if (p.kind === 'gsmtap') return join([tag(TAG.TABLE_NAME, enc.encode('udp.port')), tag(TAG.TABLE_VALUE, u32(4729)), end, p.payload]);
  if (p.kind === 'atr') return join([tag(TAG.PROTO_NAME, enc.encode('iso7816.atr')), tag(TAG.P2P_DIR, u32(P2P_RECV)), end, p.atr]);
  const dir = p.kind === 'command' ? P2P_SENT : P2P_RECV;
  return join([tag(TAG.PROTO_NAME, enc.encode('iso7816')), tag(TAG.P2P_DIR, u32(dir)), end, p.kind === 'command' ? p.apdu : p.data]);
}

/**
 * Read one exported-PDU packet: an ISO 7816 command or response (by its direction tag), an ATR, or a
 * GSMTAP payload (dissector table udp.port 4729, or the "gsmtap" dissector). Anything else is
 * another protocol's PDU: undefined. A tag list that runs past the packet is an error string.
 */
export function readUpperPdu(d: Uint8Array): UpperPdu | undefined | string {
  let proto = '';
  let table = '';
  let tableValue: number | undefined;
  let dir: number | undefined;
  let off = 0;
  const dec = new TextDecoder();
  for (;;) {
    if (off + 4 > d.length) return `exported-PDU tags run past the ${d.length}-byte packet`;
    const t = readU16(d, off);
    const len = readU16(d, off + 2);
    const v = d.subarray(off + 4, off + 4 + len);
    if (off + 4 + len > d.length) return `exported-PDU tag ${t} of ${len} bytes runs past the ${d.length}-byte packet`;
    off += 4 + len;
    if (t === TAG.END) break;
    const u = len >= 4 ? readU32(v) : undefined;
    if (t === TAG.PROTO_NAME) proto = dec.decode(v).replace(/\0+$/, '');
    else if (t === TAG.TABLE_NAME) table = dec.decode(v).replace(/\0+$/, '');
    else if (t === TAG.TABLE_VALUE) tableValue = u;
    else if (t === TAG.P2P_DIR) dir = u;
  }
  const body = d.subarray(off);
  if (proto === 'gsmtap' || (table === 'udp.port' && tableValue === 4729)) return { kind: 'gsmtap', payload: body };
  if (proto === 'iso7816.atr') return { kind: 'atr', atr: body.slice() };
  if (proto !== 'iso7816') return undefined;
  if (dir === P2P_SENT) return { kind: 'command', apdu: body.slice() };
  if (dir === P2P_RECV) return { kind: 'response', data: body.slice() };
  return 'ISO 7816 PDU without a direction tag (35): command or response cannot be told';
}
