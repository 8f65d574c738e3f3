/**
 * GSMTAP-SIM (libosmocore gsmtap.h; SIMtrace, osmo-remsim): UDP port 4729, GSMTAP v2 header of
 * hdr_len×4 bytes (version, hdr_len, type = 4 SIM, …, sub_type at byte 12), sub_type 0 = APDU
 * (as SIMtrace sends it: the T=0 TPDU "CLA INS P1 P2 P3, data, SW1 SW2"), 1 = ATR, 2/3 = PPS,
 * 4..7 = TPDU header / command body / response body / status word sent separately.
 *
 * T=0 carries data in one direction only, chosen by the INS (ISO/IEC 7816-3 §10.3.2): the reader
 * decides it from a table of ISO/ETSI outgoing instructions and, for our own commands, from the
 * apdu-specs cases. Reading gives the exchanges as captured; asked to (`fold`), it folds a 61xx
 * (9Fxx in class A0) + GET RESPONSE chain, and a 6Cxx + re-sent command, into one APDU exchange,
 * as host/transport/t0.ts does at run time. Writing never changes an exchange: what is not a
 * plain T=0 transfer goes out as ISO 7816 PDUs with an explicit direction (iso7816-link.ts), which
 * the reader reads from the same file.
 */
import { ALL_COMMANDS } from '../../../apdu-specs/index.js';
import { decodeCla, readU16, writeU16 } from '../../../card/runtime/index.js';
import { getResponseCla, withLe } from '../../transport/t0.js';
import { TraceError, type OnBadLine } from '../errors.js';
import type { Trace, TraceEvent } from '../events.js';
import { isPcap, isPcapng, PacketWriter, pcapHeader, pcapngHeader, pcapngSectionComments, readPcap, readPcapng, udpOf, writeUdpHeaders } from './pcap.js';
import { LINKTYPE_UPPER_PDU, readUpperPdu, upperPdu } from './iso7816-link.js';
import type { Sink } from '../io.js';

export const GSMTAP_UDP_PORT = 4729;
const GSMTAP_TYPE_SIM = 4;
const SUB = { APDU: 0, ATR: 1, PPS_REQ: 2, PPS_RSP: 3, TPDU_HDR: 4, TPDU_CMD: 5, TPDU_RSP: 6, TPDU_SW: 7 } as const;

/** INS whose T=0 data goes card → terminal (ISO/IEC 7816-4, TS 102.221, TS 51.011). */
const OUTGOING_INS = new Set([0xc0, 0xb0, 0xb2, 0xf2, 0x12, 0xca, 0x84]);

// By CLA and INS, from the declarations; recomputed when an applet registers more (open registry).
const bySpec = new Map<number, boolean>();
let specCount = -1;

/** true: the TPDU data is response data; false: command data. */
export function dataIsOutgoing(cla: number, ins: number, p1: number): boolean {
  if (OUTGOING_INS.has(ins)) return true;
  if (ins === 0x70) return p1 === 0x00; // MANAGE CHANNEL open returns the channel number
  if (specCount !== ALL_COMMANDS.length) {
    bySpec.clear();
    specCount = ALL_COMMANDS.length;
  }
  const key = (cla << 8) | ins;
  let out = bySpec.get(key);
  if (out === undefined) {
    const base = decodeCla(cla)?.base;
    const specs = base === undefined ? [] : ALL_COMMANDS.filter((s) => s.ins === ins && (base & s.cla.mask) === s.cla.value);
    out = specs.length > 0 && specs.every((s) => !s.cases.includes(3) && !s.cases.includes(4));
    bySpec.set(key, out);
  }
  return out;
}

interface Tpdu {
  command: Uint8Array;
  data: Uint8Array; // response data (outgoing) — command data is already inside `command`
  sw: number;
  tsUs: number;
}

/** Split a SIMtrace APDU payload (header, one-direction data, SW) into command and response. */
function splitTpdu(p: Uint8Array, tsUs: number, outgoing?: boolean): Tpdu | string {
  if (p.length < 7) return `SIM APDU payload of ${p.length} bytes (at least header 5 + SW 2)`;
  const hdr = p.subarray(0, 5);
  const body = p.subarray(5, p.length - 2);
  const sw = readU16(p, p.length - 2);
  if (body.length === 0) {
    // No data moved (case 1, or the card answered before the transfer): P3 = 00 with no known
    // outgoing INS is a case-1 command, which T=0 sends with P3 = 00.
    const out = outgoing ?? dataIsOutgoing(hdr[0]!, hdr[1]!, hdr[2]!);
    return { command: hdr[4] === 0 && !out ? hdr.slice(0, 4) : hdr.slice(), data: new Uint8Array(0), sw, tsUs };
  }
  if (outgoing ?? dataIsOutgoing(hdr[0]!, hdr[1]!, hdr[2]!)) return { command: hdr.slice(), data: body.slice(), sw, tsUs };
  return { command: p.slice(0, p.length - 2), data: new Uint8Array(0), sw, tsUs };
}

const more = (cla: number, sw: number): boolean => sw >> 8 === 0x61 || (sw >> 8 === 0x9f && cla === 0xa0);

/** Fold T=0 TPDUs into APDU exchanges (61xx/9Fxx + GET RESPONSE, 6Cxx + re-sent command). */
class Folder {
  private pend: { command: Uint8Array; chunks: Uint8Array[]; sw: number; tsUs: number; sent: Uint8Array } | undefined;
  constructor(private readonly fold: boolean) {}

  push(x: Tpdu): TraceEvent[] {
    const p = this.pend;
    if (p && this.fold) {
      const c = x.command;
      const isGetResponse = c.length === 5 && c[1] === 0xc0 && c[2] === 0 && c[3] === 0 && c[0] === getResponseCla(p.command[0]!);
      if (more(p.command[0]!, p.sw) && isGetResponse) {
        p.chunks.push(x.data);
        p.sw = x.sw;
        return [];
      }
      const again = p.sw >> 8 === 0x6c && p.chunks.length === 0 ? withLe(p.sent, p.sw & 0xff) : undefined;
      if (again && again.length === c.length && again.every((v, i) => v === c[i])) {
        p.chunks.push(x.data);
        p.sw = x.sw;
        return [];
      }
    }
    const out = this.flush();
    this.pend = { command: x.command, chunks: [x.data], sw: x.sw, tsUs: x.tsUs, sent: x.command };
    return out;
  }

  flush(): TraceEvent[] {
    const p = this.pend;
    if (!p) return [];
    this.pend = undefined;
    const n = p.chunks.reduce((a, c) => a + c.length, 0);
    const data = new Uint8Array(n + 2);
    let o = 0;
    for (const c of p.chunks) {
      data.set(c, o);
      o += c.length;
    }
    writeU16(data, n, p.sw);
    return [
      { kind: 'command', apdu: p.command, t: p.tsUs },
      { kind: 'response', data, t: p.tsUs },
    ];
  }
}

export interface GsmtapReadOptions {
  /** Fold T=0 GET RESPONSE / 6Cxx chains into APDUs (default false: the exchanges as captured). */
  fold?: boolean;
}

export function readGsmtap(bytes: Uint8Array, file: string, onBad?: OnBadLine, opts: GsmtapReadOptions = {}): Trace {
  const packets = isPcapng(bytes) ? readPcapng(bytes, file) : isPcap(bytes) ? readPcap(bytes, file) : undefined;
  if (!packets) throw new TraceError('TRACE_SYNTAX', 'neither a pcap nor a pcapng file (bad magic number)', file);
  function* events(): Generator<TraceEvent> {
    const folder = new Folder(opts.fold ?? false);
    let t0: number | undefined;
    let n = 0;
    let parts: { hdr?: Uint8Array; cmd?: Uint8Array; rsp?: Uint8Array } = {};
    for (const pkt of packets!) {
      n++;
      let g: Uint8Array;
      if (pkt.linktype === LINKTYPE_UPPER_PDU) {
        const u = readUpperPdu(pkt.data);
        if (u === undefined) continue;
        if (typeof u === 'string') {
          const err = new TraceError('TRACE_SYNTAX', `packet ${n}: ${u}`, file);
          if (!onBad) throw err;
          onBad(err);
          continue;
        }
        if (u.kind !== 'gsmtap') {
          t0 ??= pkt.tsUs;
          const t = pkt.tsUs - t0;
          yield* folder.flush();
          yield u.kind === 'command' ? { kind: 'command', apdu: u.apdu, t } : u.kind === 'response' ? { kind: 'response', data: u.data, t } : { kind: 'atr', atr: u.atr, t };
          continue;
        }
        g = u.payload;
      } else {
        const udp = udpOf(pkt);
        if (!udp || (udp.dstPort !== GSMTAP_UDP_PORT && udp.srcPort !== GSMTAP_UDP_PORT)) continue;
        g = udp.payload;
      }
      if (g.length < 16 || g[0] !== 2 || g[2] !== GSMTAP_TYPE_SIM) continue;
      const hl = g[1]! * 4;
      if (hl < 16 || hl > g.length) {
        const err = new TraceError('TRACE_SYNTAX', `packet ${n}: GSMTAP header length ${hl} does not fit the ${g.length}-byte payload`, file);
        if (!onBad) throw err;
        onBad(err);
        continue;
      }
      t0 ??= pkt.tsUs;
      const tsUs = pkt.tsUs - t0;
      const sub = g[12]!;
      const body = g.subarray(hl);
      let tp: Tpdu | string | undefined;
      if (sub === SUB.ATR) {
        yield* folder.flush();
        yield { kind: 'atr', atr: body.slice(), t: tsUs };
        continue;
      } else if (sub === SUB.APDU) tp = splitTpdu(body, tsUs);
      else if (sub === SUB.TPDU_HDR) parts = { hdr: body.slice() };
      else if (sub === SUB.TPDU_CMD) parts.cmd = body.slice();
      else if (sub === SUB.TPDU_RSP) parts.rsp = body.slice();
      else if (sub === SUB.TPDU_SW && parts.hdr) {
        const dataPart = parts.cmd ?? parts.rsp ?? new Uint8Array(0);
        const whole = new Uint8Array(5 + dataPart.length + body.length);
        whole.set(parts.hdr.subarray(0, 5));
        whole.set(dataPart, 5);
        whole.set(body, 5 + dataPart.length);
        tp = splitTpdu(whole, tsUs, parts.rsp !== undefined);
        parts = {};
      }
      if (typeof tp === 'string') {
        const err = new TraceError('TRACE_SYNTAX', `packet ${n}: ${tp}`, file);
        if (!onBad) throw err;
        onBad(err);
      } else if (tp) yield* folder.push(tp);
    }
    yield* folder.flush();
  }
  // GSMTAP-SIM carries T=0 TPDUs (SIMtrace); a capture cardforge wrote says its protocol in the section comment.
  const stated = pcapngSectionComments(bytes).map((c) => /\bprotocol (T=[01])\b/.exec(c)?.[1]).find((p) => p !== undefined) as 'T=0' | 'T=1' | undefined;
  return { header: { tool: 'gsmtap', protocol: stated ?? 'T=0' }, events: events() };
}

const cat = (...p: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(p.reduce((a, x) => a + x.length, 0));
  let o = 0;
  for (const x of p) {
    out.set(x, o);
    o += x.length;
  }
  return out;
};
const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * The SIMtrace APDU payload for one exchange, when it is a real T=0 transfer that this reader
 * reads back exactly: a short command of case 1, 2 or 3 whose data goes the way the reader infers
 * from the INS, P3 bytes of data moved (256 for 00), or none with P3 = 00. Otherwise undefined:
 * the exchange is written as ISO 7816 PDUs with their direction (iso7816-link.ts). Checked by
 * reading the payload back, so writer and reader cannot disagree (issue 15 item 4).
 */
export function tpduOf(command: Uint8Array, response: Uint8Array): Uint8Array | undefined {
  const n = command.length;
  if (response.length < 2 || n < 4) return undefined;
  if (!(n === 4 || n === 5 || (command[4]! > 0 && n === 5 + command[4]!))) return undefined; // case 4, extended, malformed
  const rspData = response.subarray(0, response.length - 2);
  if (n > 5 && rspData.length) return undefined;
  // A whole transfer: P3 bytes of data (256 for 00), or none with P3 = 00. An error SW instead of
  // the P3 bytes a READ asked for is real T=0, but tshark 4.0 flags it "Malformed Packet".
  const moved = n > 5 ? n - 5 : rspData.length;
  const p3 = n === 4 ? 0 : command[4]!;
  if (moved ? moved !== (p3 || 256) : p3 !== 0) return undefined;
  const p = cat(n === 4 ? cat(command, Uint8Array.of(0)) : command, rspData, response.subarray(response.length - 2));
  const back = splitTpdu(p, 0);
  if (typeof back === 'string' || !same(back.command, command) || !same(back.data, rspData)) return undefined;
  return p;
}

/**
 * Whether tpduOf(command, response) is defined — the same decision, made without building the
 * payload or reading it back (the writer's hot path; a test holds the two equal). The payload is
 * then the command (with P3 = 00 appended to a 4-byte one) followed by the whole response.
 */
export function tpduFits(command: Uint8Array, response: Uint8Array): boolean {
  const n = command.length;
  if (response.length < 2 || n < 4) return false;
  if (!(n === 4 || n === 5 || (command[4]! > 0 && n === 5 + command[4]!))) return false;
  const rspData = response.length - 2;
  if (n > 5 && rspData) return false;
  const moved = n > 5 ? n - 5 : rspData;
  const p3 = n === 4 ? 0 : command[4]!;
  if (moved ? moved !== (p3 || 256) : p3 !== 0) return false;
  // splitTpdu's reading of that payload gives back this command and response data only when the
  // data goes the way it infers: none moved (a 4-byte command is case 1, a 5-byte one with P3 = 00
  // an outgoing query), response data (5 bytes), command data (longer).
  const out = dataIsOutgoing(command[0]!, command[1]!, command[2]!);
  if (n === 4) return moved === 0 && !out;
  return n === 5 ? out : !out;
}

/** The exported-PDU prefixes (tags up to END) of upperPdu, per kind: a packet is prefix + bytes. */
const PREFIX = {
  command: upperPdu({ kind: 'command', apdu: new Uint8Array(0) }),
  response: upperPdu({ kind: 'response', data: new Uint8Array(0) }),
  atr: upperPdu({ kind: 'atr', atr: new Uint8Array(0) }),
  gsmtap: upperPdu({ kind: 'gsmtap', payload: new Uint8Array(0) }),
} as const;

/** The 16-byte GSMTAP v2 header (version 2, 4 words, type SIM, sub_type at byte 12), written at `at` in a zeroed buffer. */
function writeGsmtapHeader(b: Uint8Array, at: number, sub: number): void {
  b[at] = 2;
  b[at + 1] = 4;
  b[at + 2] = GSMTAP_TYPE_SIM;
  b[at + 12] = sub;
}

/**
 * Write a trace as a capture: the exchanges that are plain T=0 transfers as GSMTAP-SIM
 * (Ethernet/IPv4/UDP to port 4729 in pcapng), ATRs and everything else as ISO 7816 PDUs with an
 * explicit direction (a second pcapng interface of link type 252). A classic pcap has one link type, so
 * there GSMTAP travels inside exported PDUs too. Nothing is dropped: a command without a response
 * is a lone command packet, a response without a command a lone response packet. Timestamps are
 * the trace's (from header.start, when known) or, for events without one, 1 ms after the previous
 * packet; never decreasing (issue 15 items 3-6).
 */
export function writeGsmtap(trace: Trace, sink: Sink, container: 'pcapng' | 'pcap'): void {
  const ng = container === 'pcapng';
  // pcapng states the protocol in its section comment (a classic pcap has no place for it).
  const protocol = trace.header.protocol ? `protocol ${trace.header.protocol}` : undefined;
  sink.write(ng ? pcapngHeader(`cardforge (${trace.header.tool})`, [1, LINKTYPE_UPPER_PDU], protocol) : pcapHeader(LINKTYPE_UPPER_PDU));
  const base = trace.header.start ? Date.parse(trace.header.start) * 1000 : 0;
  const w = new PacketWriter(sink, container);
  let id = 0;
  let last = -1000;
  const stamp = (t: number | undefined): number => {
    last = t !== undefined ? Math.max(t, last) : last + 1000;
    return base + last;
  };
  /** One exchange as a SIMtrace APDU (tpduFits said it is one): pcapng UDP to 4729, pcap inside an exported PDU. */
  const gsmtap = (command: Uint8Array, response: Uint8Array, tsUs: number): void => {
    const tpdu = command.length + (command.length === 4 ? 1 : 0) + response.length;
    const pre = ng ? 42 : PREFIX.gsmtap.length;
    let o = w.begin(pre + 16 + tpdu, tsUs, 0);
    const b = w.buf;
    if (ng) writeUdpHeaders(b, o, 16 + tpdu, 40000, GSMTAP_UDP_PORT, id++ & 0xffff);
    else b.set(PREFIX.gsmtap, o);
    o += pre;
    writeGsmtapHeader(b, o, SUB.APDU);
    o += 16;
    b.set(command, o);
    o += command.length + (command.length === 4 ? 1 : 0); // P3 = 00 stays zero
    b.set(response, o);
  };
  /** An ISO 7816 PDU with its direction (or an ATR): pcapng interface 1, the pcap's one link type. */
  const iso = (prefix: Uint8Array, bytes: Uint8Array, tsUs: number): void => {
    const o = w.begin(prefix.length + bytes.length, tsUs, 1);
    w.buf.set(prefix, o);
    w.buf.set(bytes, o + prefix.length);
  };
  let pend: Uint8Array | undefined;
  let pendT: number | undefined;
  const lone = (): void => {
    if (pend) iso(PREFIX.command, pend, stamp(pendT));
    pend = undefined;
  };
  for (const e of trace.events) {
    if (e.kind === 'atr') {
      lone();
      // As an ISO 7816-3 ATR, not GSMTAP sub_type 1: tshark 4.0 decodes that as a SIM APDU.
      iso(PREFIX.atr, e.atr, stamp(e.t));
    } else if (e.kind === 'command') {
      lone();
      pend = e.apdu;
      pendT = e.t;
    } else if (e.kind === 'response') {
      if (!pend) {
        iso(PREFIX.response, e.data, stamp(e.t));
        continue;
      }
      if (tpduFits(pend, e.data)) gsmtap(pend, e.data, stamp(e.t ?? pendT));
      else {
        iso(PREFIX.command, pend, stamp(pendT));
        iso(PREFIX.response, e.data, stamp(e.t));
      }
      pend = undefined;
    } else lone(); // power and reset events: a capture has no packet for them
  }
  lone();
  w.flush();
}
