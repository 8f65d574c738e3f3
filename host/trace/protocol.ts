/**
 * The protocol a trace was recorded with, for writers that state it (native header, apdu4j
 * "# PROTOCOL:", scriptor "Using T=n protocol", the pcapng section comment): the header's when
 * the source format says it, else the one the trace's first ATR selects without PPS (ISO/IEC
 * 7816-3 §8.2.3: T of TD1, T=0 when TD1 is absent), else unknown — never a guessed T=1, so a T=0
 * recording converted to another format still says T=0.
 */
import { describeAtr } from '../transport/atr.js';
import type { Trace, TraceEvent, TraceHeader } from './events.js';

/** How many events are looked at for the first ATR before giving up (ATRs open a session). */
const LOOKAHEAD = 64;

export type ProtocolSource = 'header' | 'atr' | 'unknown';

/**
 * The trace with header.protocol filled from its first ATR when the header has none. Events are
 * read ahead (at most LOOKAHEAD, up to the first ATR or command) and replayed unchanged.
 */
export function withProtocol(trace: Trace): { trace: Trace; source: ProtocolSource } {
  if (trace.header.protocol) return { trace, source: 'header' };
  const it = trace.events[Symbol.iterator]();
  const ahead: TraceEvent[] = [];
  let protocol: TraceHeader['protocol'];
  let done = false;
  while (ahead.length < LOOKAHEAD) {
    const r = it.next();
    if (r.done === true) {
      done = true;
      break;
    }
    ahead.push(r.value);
    if (r.value.kind === 'atr') {
      const d = describeAtr(r.value.atr);
      if (d.defaultProtocol === 0 || d.defaultProtocol === 1) protocol = `T=${d.defaultProtocol}`;
      break;
    }
    if (r.value.kind === 'command') break;
  }
  const events: Iterable<TraceEvent> = {
    [Symbol.iterator]: function* () {
      yield* ahead;
      if (done) return;
      // Forward return() (a consumer that stops early closes the file behind `it`).
      try {
        for (let r = it.next(); r.done !== true; r = it.next()) yield r.value;
      } finally {
        it.return?.();
      }
    },
  };
  const header: TraceHeader = protocol ? { ...trace.header, protocol } : trace.header;
  return { trace: { header, events }, source: protocol ? 'atr' : 'unknown' };
}
