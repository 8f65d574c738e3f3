/**
 * Test helpers for traces: a deterministic loopback session recorded in process (seeded RNG,
 * virtual clock), and reading/writing traces in memory.
 */
import { Card, SeededRng, VirtualClock, buildAtr, hexToBytes } from '../../card/runtime/index.js';
import { LoopbackApplet } from '../../card/applets/index.js';
import { LOOPBACK_AID } from '../../apdu-specs/loopback.js';
import { EmulatorTransport } from '../../host/transport/index.js';
import { RecordingTransport, TraceRecorder } from '../../host/trace/record.js';
import { MemorySink } from '../../host/trace/io.js';
import { readTraceText, writeTrace, type FormatName } from '../../host/trace/formats/index.js';
import { readGsmtap } from '../../host/trace/formats/gsmtap.js';
import type { Trace, TraceEvent } from '../../host/trace/events.js';

export const FIXTURES = new URL('./fixtures/', import.meta.url).pathname;
export const REAL_GSMTAP = '/work/shared/fixtures/real-cards/sysmoisim-sja2-gsmtap.pcapng';

export function loopbackCard(seed = 'seed-1', protocol: 0 | 1 = 1): Card {
  const card = new Card({ atr: buildAtr([protocol], new TextEncoder().encode('cardforge')), rng: new SeededRng(seed), clock: new VirtualClock() });
  card.install(LoopbackApplet, { aid: LOOPBACK_AID, default: true });
  return card;
}

/** The session every test records: select, fixed answer, SHA-256 (61xx), random challenge, writes, read, errors. */
export const SESSION = [
  '00A404000AF0636172646667010001',
  '8012000010',
  '801400000361626300',
  '0084000008',
  '8016000003010203',
  '8018000003',
  '8010000005AABBCCDDEE',
  '80100000',
  '80AA0000',
  '8016010003090909',
].map(hexToBytes);

export async function recordSession(seed = 'seed-1', protocol: 0 | 1 = 1): Promise<string> {
  const sink = new MemorySink();
  const t = new RecordingTransport(new EmulatorTransport(loopbackCard(seed, protocol)), new TraceRecorder(sink, { target: 'test loopback' }));
  await t.connect();
  for (const c of SESSION) await t.transmit(c);
  await t.reset();
  await t.transmit(SESSION[5]!);
  await t.close();
  return sink.text();
}

export function textOf(trace: Trace, format: FormatName): string {
  const s = new MemorySink();
  writeTrace(trace, format, s);
  return s.text();
}

export function bytesOf(trace: Trace, format: FormatName): Uint8Array {
  const s = new MemorySink();
  writeTrace(trace, format, s);
  return s.bytes();
}

export function events(text: string, format: FormatName): TraceEvent[] {
  return [...readTraceText(text, format, `mem.${format}`).events];
}

export function gsmtapEvents(bytes: Uint8Array): TraceEvent[] {
  return [...readGsmtap(bytes, 'mem.pcapng').events];
}
