/**
 * Issue 20's trace fast paths change no byte and no message:
 * - the native reader's fast path (lines as cardforge writes them, read without JSON.parse) gives
 *   exactly the events of the full parser, and on any line it does not take — other key orders,
 *   spaces, escapes, fractions, leading zeros, bad hex, an sw or ch that disagrees, a response
 *   without a command, binary bytes — the full parser's error with its file:line;
 * - replay's commandName (looked up once per CLA/INS) is decodeCommand's name for every command;
 * - tpduFits decides as tpduOf does (payload built and read back) on every command/response shape;
 * - the pcap and pcapng writers (PacketWriter: records written into 256 KiB blocks) give the bytes
 *   of the per-packet writer they replace (kept here as the reference), across block boundaries
 *   and through FileSink's direct write of large blocks.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TraceError } from '../../host/trace/errors.js';
import type { Trace, TraceEvent } from '../../host/trace/events.js';
import { LineReader, MemorySink, textLines, type Sink } from '../../host/trace/io.js';
import { eventLine, headerLine, readNative } from '../../host/trace/formats/native.js';
import { GSMTAP_UDP_PORT, tpduFits, tpduOf, writeGsmtap } from '../../host/trace/formats/gsmtap.js';
import { pcapHeader, pcapngHeader, pcapngPacket, pcapPacket, udpFrame } from '../../host/trace/formats/pcap.js';
import { LINKTYPE_UPPER_PDU, upperPdu, type UpperPdu } from '../../host/trace/formats/iso7816-link.js';
import { writeTraceFile } from '../../host/trace/formats/index.js';
import { commandName, decodeCommand } from '../../host/trace/decode.js';
import { tempDir } from '../helpers/temp-dir.js';

const HEADER = headerLine({ tool: 'test' });

/** Every event of `text` read one way, or the error (code, message) it stops with; --keep-going's reports too. */
function readAll(text: string, fastPath: boolean, keepGoing: boolean): { events: TraceEvent[]; errors: string[] } {
  const errors: string[] = [];
  const events: TraceEvent[] = [];
  try {
    const t = readNative(new LineReader(textLines(text), 'mem.jsonl'), keepGoing ? (e) => void errors.push(`${e.code} ${e.message}`) : undefined, { fastPath });
    for (const e of t.events) events.push(e);
  } catch (e) {
    if (!(e instanceof TraceError)) throw e;
    errors.push(`${e.code} ${e.message}`);
  }
  return { events, errors };
}

function sameBothWays(text: string): void {
  for (const keepGoing of [false, true]) {
    const fast = readAll(text, true, keepGoing);
    const full = readAll(text, false, keepGoing);
    expect(fast.errors).toEqual(full.errors);
    expect(fast.events).toStrictEqual(full.events);
  }
}

const bytes = (min: number, max: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: min, maxLength: max });
const time = fc.option(fc.oneof(fc.nat(), fc.double({ min: 0, max: 1e6, noNaN: true })), { nil: undefined });
const event: fc.Arbitrary<TraceEvent> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('command' as const), apdu: bytes(4, 40), t: time }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('response' as const), data: bytes(2, 40), t: time, us: time }) },
  fc.record({ kind: fc.constant('atr' as const), atr: bytes(2, 20), t: time }),
  fc.record({ kind: fc.constant('power-on' as const), t: time }),
  fc.record({ kind: fc.constant('reset' as const), t: time }),
).map((e) => Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined)) as TraceEvent);

/** Edits that keep a line readable, or make it wrong in one way. */
const EDITS: ((line: string) => string)[] = [
  (l) => l,
  (l) => l.toUpperCase().replace(/"E":"(\w+)"/, '"e":"$1"').replace(/"APDU"|"DATA"|"SW"|"CH"|"T"|"US"/g, (k) => k.toLowerCase()),
  (l) => l.replace(/"apdu":"(..)/, '"apdu":"$1 '),
  (l) => l.replace(/"(apdu|data)":"(.)/, '"$1":"$2'),
  (l) => l.replace(/"(apdu|data)":"/, '"$1":"zz'),
  (l) => l.replace(/"(apdu|data)":"/, '"$1":"\\u0030\\u0030'),
  (l) => l.replace(/"sw":"(..)(..)"/, '"sw":"$2$1"'),
  (l) => l.replace(/"sw":"..../, '"sw":"900'),
  (l) => l.replace(/"ch":\d+/, '"ch":7'),
  (l) => l.replace(/"ch":\d+/, '"ch":"0"'),
  (l) => l.replace(/"t":(\d+)/, '"t":0$1'),
  (l) => l.replace(/"t":(\d+)/, '"t":-$1'),
  (l) => l.replace(/"t":(\d+)/, '"t":$1.5'),
  (l) => l.replace(/"t":(\d+)/, '"t":$1e2'),
  (l) => l.replace(/"t":(\d+)/, '"t":12345678901234567890'),
  (l) => l.replace(/}$/, ',"t":1}'),
  (l) => l.replace(/}$/, ',"x":1}'),
  (l) => l.replace(/}$/, '} '),
  (l) => l.replace(/}$/, '}}'),
  (l) => l.replace(/,/, ' , '),
  (l) => l.replace(/}$/, ''),
  (l) => `\u0001${l}`,
  (l) => l.replace(/"(apdu|data)":"(..)/, '"$1":"$2\u0007'),
  (l) => l.replace('"e":"command"', '"e":"response"'),
  (l) => l.replace('"e":"response"', '"e":"command"'),
  (l) => l.slice(0, 30),
  () => '',
  () => '   ',
];

describe('native reader: the fast path reads as JSON.parse does', () => {
  it('every line cardforge writes, as events', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 30 }), (events) => {
        sameBothWays(HEADER + events.map(eventLine).join(''));
      }),
      { numRuns: 300 },
    );
  });

  it('every edited line: the same event, or the same error at the same line (stopping and --keep-going)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(event, fc.nat(EDITS.length - 1)), { minLength: 1, maxLength: 12 }), (edited) => {
        sameBothWays(HEADER + edited.map(([e, k]) => EDITS[k]!(eventLine(e).slice(0, -1)) + '\n').join(''));
      }),
      { numRuns: 1500 },
    );
  });

  it('fixed cases: a command with its channel, a response without sw, CRLF, a response before any command', () => {
    for (const text of [
      `${HEADER}{"e":"command","apdu":"01a4000000","ch":1,"t":5}\n{"e":"response","data":"9000","us":3}\n`,
      `${HEADER}{"e":"command","apdu":"41a40000","ch":5}\r\n{"e":"response","data":"6a82","sw":"6A82","t":0}\r\n`,
      `${HEADER}{"e":"command","apdu":"20a40000","ch":9}\n{"e":"response","data":"9000"}\n`,
      `${HEADER}{"e":"response","data":"9000","sw":"9000"}\n`,
      `${HEADER}{"e":"command","apdu":"00a40000","ch":0,"ch":0}\n`,
    ]) sameBothWays(text);
    expect(readAll(`${HEADER}{"e":"command","apdu":"01a4000000","ch":1,"t":5}\n`, true, false).events).toStrictEqual([{ kind: 'command', apdu: Uint8Array.of(1, 0xa4, 0, 0, 0), t: 5 }]);
  });
});

describe('commandName', () => {
  it("is decodeCommand's name: every CLA/INS pair, short commands, random bodies", () => {
    for (let cla = 0; cla < 256; cla++) {
      for (let ins = 0; ins < 256; ins++) {
        const cmd = Uint8Array.of(cla, ins, 0, 0, 1, 0x55);
        expect(commandName(cmd)).toBe(decodeCommand(cmd).name);
      }
    }
    fc.assert(fc.property(bytes(0, 12), (cmd) => void expect(commandName(cmd)).toBe(decodeCommand(cmd).name)), { numRuns: 3000 });
  });
});

describe('tpduFits', () => {
  it('decides as tpduOf (payload built and read back) on every shape of command and response', () => {
    const cla = fc.constantFrom(0x00, 0x01, 0x40, 0x80, 0xa0, 0xe0, 0x20, 0xff);
    const ins = fc.constantFrom(0xa4, 0xb0, 0xc0, 0xca, 0x84, 0x12, 0xf2, 0x70, 0x88, 0x20, 0xd6, 0x10, 0x12, 0x14, 0x16, 0x18, 0xaa, 0x00);
    const command = fc.tuple(cla, ins, fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.oneof(fc.constant(undefined), fc.integer({ min: 0, max: 255 })), fc.oneof(bytes(0, 0), bytes(1, 20), bytes(255, 257)))
      .map(([c, i, p1, p2, p3, data]) => {
        const head = [c, i, p1, p2];
        if (p3 === undefined) return Uint8Array.from(head);
        const withData = [...head, p3, ...data];
        return Uint8Array.from(data.length && p3 !== 0 ? withData.slice(0, 5 + (p3 || 0)) : withData);
      });
    fc.assert(
      fc.property(command, fc.oneof(bytes(0, 3), bytes(2, 30), bytes(256, 258)), (c, r) => {
        expect(tpduFits(c, r)).toBe(tpduOf(c, r) !== undefined);
      }),
      { numRuns: 20000 },
    );
  });
});

// --- the writer these replace, verbatim but for names (the reference) --------------------------

function referenceWriteGsmtap(trace: Trace, sink: Sink, container: 'pcapng' | 'pcap'): void {
  const gsmtapPayload = (sub: number, body: Uint8Array): Uint8Array => {
    const g = new Uint8Array(16 + body.length);
    g[0] = 2;
    g[1] = 4;
    g[2] = 4;
    g[12] = sub;
    g.set(body, 16);
    return g;
  };
  const ng = container === 'pcapng';
  const protocol = trace.header.protocol ? `protocol ${trace.header.protocol}` : undefined;
  sink.write(ng ? pcapngHeader(`cardforge (${trace.header.tool})`, [1, LINKTYPE_UPPER_PDU], protocol) : pcapHeader(LINKTYPE_UPPER_PDU));
  const base = trace.header.start ? Date.parse(trace.header.start) * 1000 : 0;
  let id = 0;
  let last = -1000;
  const stamp = (t: number | undefined): number => {
    last = t !== undefined ? Math.max(t, last) : last + 1000;
    return base + last;
  };
  const gsmtap = (sub: number, body: Uint8Array, tsUs: number): void => {
    const g = gsmtapPayload(sub, body);
    sink.write(ng ? pcapngPacket(udpFrame(g, 40000, GSMTAP_UDP_PORT, id++ & 0xffff), tsUs, 0) : pcapPacket(upperPdu({ kind: 'gsmtap', payload: g }), tsUs));
  };
  const iso = (pdu: UpperPdu, tsUs: number): void => {
    sink.write(ng ? pcapngPacket(upperPdu(pdu), tsUs, 1) : pcapPacket(upperPdu(pdu), tsUs));
  };
  let pend: { apdu: Uint8Array; t: number | undefined } | undefined;
  const lone = (): void => {
    if (pend) iso({ kind: 'command', apdu: pend.apdu }, stamp(pend.t));
    pend = undefined;
  };
  for (const e of trace.events) {
    if (e.kind === 'atr') {
      lone();
      iso({ kind: 'atr', atr: e.atr }, stamp(e.t));
    } else if (e.kind === 'command') {
      lone();
      pend = { apdu: e.apdu, t: e.t };
    } else if (e.kind === 'response') {
      if (!pend) {
        iso({ kind: 'response', data: e.data }, stamp(e.t));
        continue;
      }
      const tp = tpduOf(pend.apdu, e.data);
      if (tp) gsmtap(0, tp, stamp(e.t ?? pend.t));
      else {
        iso({ kind: 'command', apdu: pend.apdu }, stamp(pend.t));
        iso({ kind: 'response', data: e.data }, stamp(e.t));
      }
      pend = undefined;
    } else lone();
  }
  lone();
}

/** T=0-shaped exchanges (most become GSMTAP APDUs) mixed with everything else. */
const t0Command = fc.oneof(
  fc.tuple(fc.constantFrom(0x00, 0xa0, 0x80), fc.constantFrom(0xb0, 0xc0, 0xf2, 0xa4, 0xd6, 0x88, 0x10), fc.nat(255), fc.nat(255), bytes(1, 30)).map(([c, i, p1, p2, d]) => Uint8Array.from([c, i, p1, p2, d.length, ...d])),
  fc.tuple(fc.constantFrom(0x00, 0xa0), fc.constantFrom(0xb0, 0xc0, 0xf2, 0xca), fc.integer({ min: 1, max: 40 })).map(([c, i, le]) => Uint8Array.from([c, i, 0, 0, le])),
);
describe('pcap and pcapng writers: the bytes of the per-packet writer', () => {
  it('random traces, both containers, with and without a start time and a protocol', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(event.map((e) => [e]), fc.tuple(t0Command, bytes(0, 40), fc.constantFrom(0x9000, 0x6a82, 0x6c10, 0x9f10)).map(([apdu, data, sw]) => {
        const le = apdu.length === 5 ? apdu[4]! : 0;
        const body = apdu.length === 5 && data.length % 2 === 0 ? Uint8Array.from({ length: le }, (_, k) => k) : data;
        return [{ kind: 'command', apdu }, { kind: 'response', data: Uint8Array.from([...body, sw >> 8, sw & 0xff]) }] as TraceEvent[];
      })), { maxLength: 40 }), fc.constantFrom(undefined, '2024-03-01T10:00:00.000Z'), fc.constantFrom(undefined, 'T=0', 'T=1'), (chunks, start, protocol) => {
        const trace = (): Trace => ({ header: { tool: 'fuzz', ...(start ? { start } : {}), ...(protocol ? { protocol: protocol as 'T=0' } : {}) }, events: chunks.flat() });
        for (const container of ['pcapng', 'pcap'] as const) {
          const ours = new MemorySink();
          writeGsmtap(trace(), ours, container);
          const ref = new MemorySink();
          referenceWriteGsmtap(trace(), ref, container);
          expect(Buffer.from(ours.bytes()).equals(Buffer.from(ref.bytes()))).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a trace of several MB: across 256 KiB blocks, in memory and through FileSink (large blocks written directly)', () => {
    const events: TraceEvent[] = [{ kind: 'atr', atr: Uint8Array.of(0x3b, 0x00) }];
    for (let i = 0; i < 40_000; i++) {
      const le = 1 + (i % 200);
      events.push({ kind: 'command', apdu: Uint8Array.of(0x00, 0xb0, i & 0xff, 0, le), t: i * 7 });
      events.push({ kind: 'response', data: Uint8Array.from({ length: le + 2 }, (_, k) => (k === le ? 0x90 : k === le + 1 ? 0 : k + i)), t: i * 7 + 3 });
      if (i % 3 === 0) events.push({ kind: 'command', apdu: Uint8Array.of(0x80, 0x10, 0, 0, 2, 1, 2, 0) }, { kind: 'response', data: Uint8Array.of(1, 2, 0x90, 0) });
    }
    const trace = (): Trace => ({ header: { tool: 'big', protocol: 'T=0' }, events });
    const dir = tempDir('cf-fast-');
    for (const container of ['pcapng', 'pcap'] as const) {
      const ref = new MemorySink();
      referenceWriteGsmtap(trace(), ref, container);
      const expected = Buffer.from(ref.bytes());
      expect(expected.length).toBeGreaterThan(4 << 20);
      const mem = new MemorySink();
      writeGsmtap(trace(), mem, container);
      expect(Buffer.from(mem.bytes()).equals(expected)).toBe(true);
      const file = join(dir, `big.${container}`);
      writeTraceFile(trace(), container, file);
      expect(readFileSync(file).equals(expected)).toBe(true);
    }
  });
});
