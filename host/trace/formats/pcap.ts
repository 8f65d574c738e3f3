/**
 * Capture containers: classic pcap (tcpdump: magic a1b2c3d4 / a1b23c4d for ns, either byte
 * order, 24-byte header, 16-byte record headers) and pcapng (blocks: SHB 0A0D0D0A with byte-order
 * magic 1A2B3C4D, IDB 1 with link type and if_tsresol, EPB 6, SPB 3, obsolete PB 2; other blocks
 * skipped), and the link/IP/UDP layers down to UDP payloads: Ethernet (with VLAN tags), Linux SLL
 * and SLL2, BSD loopback, raw IPv4/IPv6. Writers produce Ethernet/IPv4/UDP frames, as dumpcap
 * does on "lo", and a pcapng may declare more interfaces (link types) beside it. Errors name the
 * file and the byte offset of the bad block.
 */
import { TraceError } from '../errors.js';
import type { Sink } from '../io.js';

export interface Packet {
  readonly linktype: number;
  readonly data: Uint8Array;
  /** Microseconds since the Unix epoch. */
  readonly tsUs: number;
}

export interface UdpDatagram {
  readonly srcPort: number;
  readonly dstPort: number;
  readonly payload: Uint8Array;
}

const fail = (file: string, off: number, why: string): TraceError => new TraceError('TRACE_SYNTAX', `byte ${off}: ${why}`, file);

export function isPcap(b: Uint8Array): boolean {
  if (b.length < 4) return false;
  const m = new DataView(b.buffer, b.byteOffset, 4).getUint32(0, false);
  return m === 0xa1b2c3d4 || m === 0xd4c3b2a1 || m === 0xa1b23c4d || m === 0x4d3cb2a1;
}

export function isPcapng(b: Uint8Array): boolean {
  return b.length >= 12 && b[0] === 0x0a && b[1] === 0x0d && b[2] === 0x0d && b[3] === 0x0a;
}

export function* readPcap(b: Uint8Array, file: string): Generator<Packet> {
  if (b.length < 24) throw fail(file, 0, `pcap header needs 24 bytes, file has ${b.length}`);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const m = dv.getUint32(0, false);
  const le = m === 0xd4c3b2a1 || m === 0x4d3cb2a1;
  const nanos = m === 0xa1b23c4d || m === 0x4d3cb2a1;
  const linktype = dv.getUint32(20, le) & 0x0fffffff;
  let off = 24;
  while (off < b.length) {
    if (off + 16 > b.length) throw fail(file, off, 'truncated pcap record header');
    const sec = dv.getUint32(off, le);
    const frac = dv.getUint32(off + 4, le);
    const incl = dv.getUint32(off + 8, le);
    if (off + 16 + incl > b.length) throw fail(file, off, `record of ${incl} bytes runs past the end of the file`);
    yield { linktype, data: b.subarray(off + 16, off + 16 + incl), tsUs: sec * 1e6 + (nanos ? Math.floor(frac / 1000) : frac) };
    off += 16 + incl;
  }
}

export function* readPcapng(b: Uint8Array, file: string): Generator<Packet> {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let le = true;
  let ifaces: { linktype: number; unitsPerSec: number }[] = [];
  let off = 0;
  while (off < b.length) {
    if (off + 12 > b.length) throw fail(file, off, 'truncated pcapng block header');
    const type = dv.getUint32(off, le);
    if (type === 0x0a0d0d0a) {
      const bom = dv.getUint32(off + 8, true);
      if (bom === 0x1a2b3c4d) le = true;
      else if (bom === 0x4d3c2b1a) le = false;
      else throw fail(file, off + 8, `section header byte-order magic ${bom.toString(16)} is neither 1a2b3c4d nor 4d3c2b1a`);
      ifaces = [];
    }
    const len = dv.getUint32(off + 4, le);
    if (len < 12 || len % 4 !== 0 || off + len > b.length) throw fail(file, off, `block of type ${type} has an invalid length ${len}`);
    if (dv.getUint32(off + len - 4, le) !== len) throw fail(file, off + len - 4, 'block trailer length differs from the header length');
    const body = off + 8;
    if (type === 1) {
      let unitsPerSec = 1e6;
      // Options after linktype(2) reserved(2) snaplen(4): if_tsresol is option 9.
      for (let o = body + 8; o + 4 <= off + len - 4; ) {
        const code = dv.getUint16(o, le);
        const olen = dv.getUint16(o + 2, le);
        if (code === 0) break;
        if (code === 9 && olen >= 1) {
          const v = b[o + 4]!;
          unitsPerSec = v & 0x80 ? 2 ** (v & 0x7f) : 10 ** v;
        }
        o += 4 + ((olen + 3) & ~3);
      }
      ifaces.push({ linktype: dv.getUint16(body, le), unitsPerSec });
    } else if (type === 6 || type === 2) {
      const id = type === 6 ? dv.getUint32(body, le) : dv.getUint16(body, le);
      const iface = ifaces[id];
      if (!iface) throw fail(file, off, `packet refers to interface ${id}, which no interface description block declared`);
      const ts = dv.getUint32(body + 4, le) * 2 ** 32 + dv.getUint32(body + 8, le);
      const cap = dv.getUint32(body + 12, le);
      if (body + 20 + cap > off + len - 4) throw fail(file, off, `packet of ${cap} bytes runs past its block`);
      yield { linktype: iface.linktype, data: b.subarray(body + 20, body + 20 + cap), tsUs: Math.floor((ts * 1e6) / iface.unitsPerSec) };
    } else if (type === 3) {
      const iface = ifaces[0];
      if (!iface) throw fail(file, off, 'simple packet block before any interface description block');
      const orig = dv.getUint32(body, le);
      yield { linktype: iface.linktype, data: b.subarray(body + 4, body + 4 + Math.min(orig, len - 16)), tsUs: 0 };
    }
    off += len;
  }
}

/** The opt_comment values of a pcapng's first section header (where cardforge states the protocol); [] for anything else. */
export function pcapngSectionComments(b: Uint8Array): string[] {
  if (!isPcapng(b) || b.length < 28) return [];
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const le = dv.getUint32(8, true) === 0x1a2b3c4d;
  const len = dv.getUint32(4, le);
  if (len > b.length || len < 28) return [];
  const out: string[] = [];
  for (let o = 24; o + 4 <= len - 4; ) {
    const code = dv.getUint16(o, le);
    const olen = dv.getUint16(o + 2, le);
    if (code === 0 || o + 4 + olen > len - 4) break;
    if (code === 1) out.push(new TextDecoder().decode(b.subarray(o + 4, o + 4 + olen)));
    o += 4 + ((olen + 3) & ~3);
  }
  return out;
}

/** The UDP datagram inside a link-layer frame, or undefined when it is not UDP over IP. */
export function udpOf(p: Packet): UdpDatagram | undefined {
  const d = p.data;
  let off: number;
  let ethertype: number;
  switch (p.linktype) {
    case 1: // Ethernet
      if (d.length < 14) return undefined;
      off = 14;
      ethertype = (d[12]! << 8) | d[13]!;
      while ((ethertype === 0x8100 || ethertype === 0x88a8) && off + 4 <= d.length) {
        ethertype = (d[off + 2]! << 8) | d[off + 3]!;
        off += 4;
      }
      break;
    case 113: // Linux cooked v1
      off = 16;
      ethertype = (d[14]! << 8) | d[15]!;
      break;
    case 276: // Linux cooked v2
      off = 20;
      ethertype = (d[0]! << 8) | d[1]!;
      break;
    case 0: // BSD loopback: 4-byte address family in host order
      off = 4;
      ethertype = d[0] === 2 || d[3] === 2 ? 0x0800 : 0x86dd;
      break;
    case 101:
    case 12:
    case 14:
      off = 0;
      ethertype = d[0]! >> 4 === 6 ? 0x86dd : 0x0800;
      break;
    case 228:
      off = 0;
      ethertype = 0x0800;
      break;
    case 229:
      off = 0;
      ethertype = 0x86dd;
      break;
    default:
      return undefined;
  }
  let udp: number;
  if (ethertype === 0x0800) {
    if (off + 20 > d.length || d[off]! >> 4 !== 4 || d[off + 9] !== 17) return undefined;
    if ((((d[off + 6]! << 8) | d[off + 7]!) & 0x3fff) !== 0) return undefined; // a fragment
    udp = off + (d[off]! & 0x0f) * 4;
  } else if (ethertype === 0x86dd) {
    if (off + 40 > d.length || d[off + 6] !== 17) return undefined;
    udp = off + 40;
  } else return undefined;
  if (udp + 8 > d.length) return undefined;
  const ulen = (d[udp + 4]! << 8) | d[udp + 5]!;
  const end = Math.min(d.length, ulen >= 8 ? udp + ulen : d.length);
  return { srcPort: (d[udp]! << 8) | d[udp + 1]!, dstPort: (d[udp + 2]! << 8) | d[udp + 3]!, payload: d.subarray(udp + 8, end) };
}

/** The IPv4 header checksum (RFC 791: one's complement of the one's-complement sum of its 16-bit words) of the 20-byte header at `ip`, written into it. */
function writeIpv4Checksum(f: Uint8Array, ip: number): void {
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += (f[ip + i]! << 8) | f[ip + i + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  const ck = ~sum & 0xffff;
  f[ip + 10] = ck >> 8;
  f[ip + 11] = ck & 0xff;
}

/** Ethernet + IPv4 + UDP frame from 127.0.0.1:srcPort to 127.0.0.1:dstPort (UDP checksum 0). */
export function udpFrame(payload: Uint8Array, srcPort: number, dstPort: number, id: number): Uint8Array {
  const f = new Uint8Array(14 + 20 + 8 + payload.length);
  f[12] = 0x08; // ethertype IPv4; MACs stay 0 as on the loopback interface
  const ip = 14;
  const total = 20 + 8 + payload.length;
  f.set([0x45, 0, total >> 8, total & 0xff, (id >> 8) & 0xff, id & 0xff, 0x40, 0, 64, 17, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1], ip);
  writeIpv4Checksum(f, ip);
  const u = ip + 20;
  const ulen = 8 + payload.length;
  f.set([srcPort >> 8, srcPort & 0xff, dstPort >> 8, dstPort & 0xff, ulen >> 8, ulen & 0xff, 0, 0], u);
  f.set(payload, u + 8);
  return f;
}

function block(type: number, body: Uint8Array): Uint8Array {
  const padded = (body.length + 3) & ~3;
  const len = 12 + padded;
  const out = new Uint8Array(len);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, type, true);
  dv.setUint32(4, len, true);
  out.set(body, 8);
  dv.setUint32(len - 4, len, true);
  return out;
}

/**
 * Section header + one interface per link type (µs timestamps; default Ethernet), little-endian.
 * `comment` goes in opt_comment (option 1): the trace's protocol is stated there ("protocol T=0").
 */
export function pcapngHeader(application: string, linktypes: readonly number[] = [1], comment?: string): Uint8Array {
  const enc = new TextEncoder();
  const opts: [number, Uint8Array][] = [[4, enc.encode(application)], ...(comment !== undefined ? [[1, enc.encode(comment)] as [number, Uint8Array]] : [])];
  const optLen = opts.reduce((a, [, v]) => a + 4 + ((v.length + 3) & ~3), 0) + 4;
  const shb = new Uint8Array(16 + optLen);
  const dv = new DataView(shb.buffer);
  dv.setUint32(0, 0x1a2b3c4d, true);
  dv.setUint16(4, 1, true);
  dv.setUint16(6, 0, true);
  dv.setInt32(8, -1, true); // section length unknown (-1 as 64 bits)
  dv.setInt32(12, -1, true);
  let at = 16;
  for (const [code, v] of opts) {
    dv.setUint16(at, code, true); // 4 shb_userappl, 1 opt_comment
    dv.setUint16(at + 2, v.length, true);
    shb.set(v, at + 4);
    at += 4 + ((v.length + 3) & ~3);
  }
  const blocks = [block(0x0a0d0d0a, shb)];
  for (const lt of linktypes) {
    const idb = new Uint8Array(8);
    const iv = new DataView(idb.buffer);
    iv.setUint16(0, lt, true);
    iv.setUint32(4, 262144, true);
    blocks.push(block(1, idb));
  }
  const out = new Uint8Array(blocks.reduce((a, x) => a + x.length, 0));
  let o = 0;
  for (const x of blocks) {
    out.set(x, o);
    o += x.length;
  }
  return out;
}

/** An enhanced packet block on interface `iface` (the index of its link type in pcapngHeader). */
export function pcapngPacket(frame: Uint8Array, tsUs: number, iface = 0): Uint8Array {
  const body = new Uint8Array(20 + frame.length);
  const dv = new DataView(body.buffer);
  dv.setUint32(0, iface, true);
  dv.setUint32(4, Math.floor(tsUs / 2 ** 32), true);
  dv.setUint32(8, tsUs % 2 ** 32, true);
  dv.setUint32(12, frame.length, true);
  dv.setUint32(16, frame.length, true);
  body.set(frame, 20);
  return block(6, body);
}

export function pcapHeader(linktype = 1): Uint8Array {
  const h = new Uint8Array(24);
  const dv = new DataView(h.buffer);
  dv.setUint32(0, 0xa1b2c3d4, true);
  dv.setUint16(4, 2, true);
  dv.setUint16(6, 4, true);
  dv.setUint32(16, 262144, true);
  dv.setUint32(20, linktype, true);
  return h;
}

export function pcapPacket(frame: Uint8Array, tsUs: number): Uint8Array {
  const r = new Uint8Array(16 + frame.length);
  const dv = new DataView(r.buffer);
  dv.setUint32(0, Math.floor(tsUs / 1e6), true);
  dv.setUint32(4, tsUs % 1e6, true);
  dv.setUint32(8, frame.length, true);
  dv.setUint32(12, frame.length, true);
  r.set(frame, 16);
  return r;
}

/** Bytes a PacketWriter fills before it hands them to the sink (one write each). */
const CHUNK = 1 << 18;

/**
 * Capture records written straight into large buffers, each handed to the sink whole once full
 * (and never touched again: the sink may keep it): no buffer per packet, one sink write per
 * 256 KiB. A record is begun with its frame length — the header (an enhanced packet block for
 * pcapng, a record header for pcap) and the pcapng trailer are written, the padding stays zero —
 * and the caller writes the frame into `buf` at the offset begin() returns. The bytes are exactly
 * pcapngPacket's / pcapPacket's.
 */
export class PacketWriter {
  buf = new Uint8Array(CHUNK);
  private dv = new DataView(this.buf.buffer);
  private off = 0;
  constructor(private readonly sink: Sink, private readonly container: 'pcapng' | 'pcap') {}

  /** Start a record of a `frameLen`-byte frame (pcapng: on interface `iface`); returns where the frame goes in `buf`. */
  begin(frameLen: number, tsUs: number, iface: number): number {
    const ng = this.container === 'pcapng';
    const size = ng ? 32 + ((frameLen + 3) & ~3) : 16 + frameLen;
    if (this.off + size > this.buf.length) this.next(size);
    const o = this.off;
    const dv = this.dv;
    this.off = o + size;
    if (ng) {
      dv.setUint32(o, 6, true);
      dv.setUint32(o + 4, size, true);
      dv.setUint32(o + 8, iface, true);
      dv.setUint32(o + 12, Math.floor(tsUs / 2 ** 32), true);
      dv.setUint32(o + 16, tsUs % 2 ** 32, true);
      dv.setUint32(o + 20, frameLen, true);
      dv.setUint32(o + 24, frameLen, true);
      dv.setUint32(o + size - 4, size, true);
      return o + 28;
    }
    dv.setUint32(o, Math.floor(tsUs / 1e6), true);
    dv.setUint32(o + 4, tsUs % 1e6, true);
    dv.setUint32(o + 8, frameLen, true);
    dv.setUint32(o + 12, frameLen, true);
    return o + 16;
  }

  /** Hand what is written to the sink (at the end of the capture). */
  flush(): void {
    if (this.off > 0) this.next(0);
  }

  private next(need: number): void {
    if (this.off > 0) this.sink.write(this.buf.subarray(0, this.off));
    this.buf = new Uint8Array(Math.max(CHUNK, need));
    this.dv = new DataView(this.buf.buffer);
    this.off = 0;
  }
}

/**
 * The Ethernet + IPv4 + UDP headers of udpFrame (42 bytes) written at `at` in a zeroed `f`, for a
 * payload of `payloadLen` bytes that the caller writes at at + 42.
 */
export function writeUdpHeaders(f: Uint8Array, at: number, payloadLen: number, srcPort: number, dstPort: number, id: number): void {
  f[at + 12] = 0x08; // ethertype IPv4; MACs stay 0 as on the loopback interface
  const ip = at + 14;
  const total = 20 + 8 + payloadLen;
  f[ip] = 0x45;
  f[ip + 2] = total >> 8;
  f[ip + 3] = total & 0xff;
  f[ip + 4] = (id >> 8) & 0xff;
  f[ip + 5] = id & 0xff;
  f[ip + 6] = 0x40;
  f[ip + 8] = 64;
  f[ip + 9] = 17;
  f[ip + 12] = f[ip + 16] = 127;
  f[ip + 15] = f[ip + 19] = 1;
  writeIpv4Checksum(f, ip);
  const u = ip + 20;
  const ulen = 8 + payloadLen;
  f[u] = srcPort >> 8;
  f[u + 1] = srcPort & 0xff;
  f[u + 2] = dstPort >> 8;
  f[u + 3] = dstPort & 0xff;
  f[u + 4] = ulen >> 8;
  f[u + 5] = ulen & 0xff;
}
