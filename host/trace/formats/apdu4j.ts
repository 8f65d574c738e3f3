/**
 * apdu4j / GlobalPlatformPro `--dump` files. Header comments "# ATR: <hex>", "# PROTOCOL: T=1",
 * "# Using <reader>", then hex lines alternating command and response. The classic writer
 * (LoggingCardTerminal) puts "# Sent" before a command and "# Received in 12ms" (or "1s234ms")
 * before its response; the newer DumpingBIBO writes "# 12ms". Hex is upper case, no spaces.
 * GlobalPlatformPro's test dumps leave the header out: free comments, then the hex lines.
 */
import { TraceError, syntaxError, type OnBadLine } from '../errors.js';
import type { Trace, TraceEvent, TraceHeader } from '../events.js';
import { hexUpper, parseHex, type LineReader, type Sink } from '../io.js';

/** "12ms", "1s234ms" → microseconds. */
function parseMs(s: string): number | undefined {
  const m = /^(?:(\d+)s)?(\d+)ms\b/.exec(s);
  return m ? (Number(m[1] ?? 0) * 1000 + Number(m[2])) * 1000 : undefined;
}

export function readApdu4j(src: LineReader, onBad?: OnBadLine): Trace {
  let header: TraceHeader = { tool: 'apdu4j' };
  // Header comments come first; read them now so the header is complete before the events.
  const early: TraceEvent[] = [];
  for (let l = src.peek(); l !== undefined && (l.trim().startsWith('#') || l.trim() === ''); l = src.peek()) {
    src.next();
    const c = l.trim();
    let m: RegExpExecArray | null;
    if ((m = /^# Generated on .* by (apdu4j\/\S+)/.exec(c))) header = { ...header, tool: m[1]! };
    else if ((m = /^# Using (.+)$/.exec(c))) header = { ...header, target: m[1]!.trim() };
    else if ((m = /^# PROTOCOL: (T=[01])/.exec(c))) header = { ...header, protocol: m[1] as 'T=0' | 'T=1' };
    else if ((m = /^# ATR: ([0-9A-Fa-f]+)/.exec(c))) early.push({ kind: early.length ? 'reset' : 'power-on' }, { kind: 'atr', atr: parseHex(m[1]!, src, 'ATR') });
  }
  function* events(): Generator<TraceEvent> {
    yield* early;
    let expectResponse = false;
    let us: number | undefined;
    // What the last comment said the next hex line is: "# Sent" → a command, "# Received in 12ms"
    // or "# 12ms" → a response. Lets a dump with a lost line resynchronize loudly instead of
    // reading every later response as a command.
    let marked: 'command' | 'response' | undefined;
    for (let line = src.next(); line !== undefined; line = src.next()) {
      const s = line.trim();
      if (s === '') continue;
      if (s.startsWith('#')) {
        const c = s.replace(/^#\s*/, '');
        const m = /^ATR: ([0-9A-Fa-f]+)/.exec(c);
        if (m) {
          expectResponse = false;
          marked = undefined;
          yield { kind: 'reset' };
          yield { kind: 'atr', atr: parseHex(m[1]!, src, 'ATR') };
        } else if (c === 'Sent') marked = 'command';
        else {
          const t = parseMs(c.replace(/^Received in /, ''));
          if (t !== undefined) {
            us = t;
            marked = 'response';
          }
        }
        continue;
      }
      let ev: TraceEvent | undefined;
      try {
        if (marked === 'command') expectResponse = false; // the command before had no response line
        if (marked === 'response' && !expectResponse) {
          expectResponse = true; // read as the response it is marked to be, then resume with a command
          throw syntaxError(src, 'response (after a timing comment) without a command line before it');
        }
        const bytes = parseHex(s, src, expectResponse ? 'response' : 'command');
        if (expectResponse) {
          if (bytes.length < 2) throw syntaxError(src, 'response without a status word');
          const sw1 = bytes[bytes.length - 2]!;
          if (!((sw1 >= 0x61 && sw1 <= 0x6f) || (sw1 >= 0x90 && sw1 <= 0x9f))) {
            // The position says response, the bytes say otherwise (ISO 7816-4 §5.6: SW1 is 61–6F
            // or 90–9F): a line before is missing or doubled, and alternation alone would read
            // every later response as a command. Loud; with a handler, resume with it as a command.
            const e = syntaxError(src, `line read as a response ends in ${hexUpper(bytes.subarray(bytes.length - 2))}, not a status word: the response of the command before is missing, or a line is doubled`);
            if (!onBad || bytes.length < 4 || marked === 'response') throw e;
            onBad(e);
            ev = { kind: 'command', apdu: bytes };
            expectResponse = false; // flipped below: the next line is this command's response
          } else ev = { kind: 'response', data: bytes, ...(us !== undefined ? { us } : {}) };
        } else {
          if (bytes.length < 4) throw syntaxError(src, `command of ${bytes.length} bytes; at least 4 (CLA INS P1 P2)`);
          ev = { kind: 'command', apdu: bytes };
        }
      } catch (e) {
        if (!(e instanceof TraceError) || !onBad) throw e;
        onBad(e);
      } finally {
        expectResponse = !expectResponse;
        us = undefined;
        marked = undefined;
      }
      if (ev) yield ev;
    }
  }
  return { header, events: events() };
}

export function writeApdu4j(trace: Trace, sink: Sink): void {
  const h = trace.header;
  const out: string[] = [`# Generated on ${new Date(h.start ?? Date.now()).toUTCString()} by apdu4j/cardforge`];
  if (h.target) out.push(`# Using ${h.target}`);
  let first = true;
  let wroteHeaderEnd = false;
  const endHeader = (): void => {
    if (!wroteHeaderEnd) {
      // Only a protocol the trace states (or its ATR selects): a T=0 recording never says T=1.
      out.push(...(h.protocol ? [`# PROTOCOL: ${h.protocol}`] : []), '#');
      wroteHeaderEnd = true;
    }
  };
  for (const e of trace.events) {
    if (e.kind === 'atr') {
      out.push(`# ATR: ${hexUpper(e.atr)}`);
      if (first) endHeader();
    } else if (e.kind === 'command') {
      endHeader();
      out.push('# Sent', hexUpper(e.apdu));
    } else if (e.kind === 'response') {
      const ms = e.us !== undefined ? Math.round(e.us / 1000) : 0;
      out.push(`# Received in ${ms >= 1000 ? `${Math.floor(ms / 1000)}s${ms % 1000}ms` : `${ms}ms`}`, hexUpper(e.data));
    }
    if (e.kind === 'atr' || e.kind === 'command') first = false;
    if (out.length > 4096) sink.write(out.splice(0).join('\n') + '\n');
  }
  endHeader();
  if (out.length) sink.write(out.join('\n') + '\n');
}

const SW1 = /^[69][0-9A-Fa-f]$/;

export const looksLikeApdu4j = (head: string): boolean => /^# (Generated on .* by apdu4j|ATR: [0-9A-F]+|Sent$|PROTOCOL: T=)/m.test(head) || looksLikeHeaderlessApdu4j(head);

/**
 * A dump without apdu4j's header comments (GlobalPlatformPro's test dumps start with free comments
 * and the hex lines): unspaced hex lines alternating command and response, where every second
 * line ends in a status word (61xx–6Fxx, 90xx–9Fxx) and something rules out a script of commands
 * only — a 2- or 3-byte line, or a command line that does not end like a response.
 */
export function looksLikeHeaderlessApdu4j(head: string): boolean {
  const hex = head.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  if (hex.length < 2 || !hex.every((l) => /^(?:[0-9A-Fa-f]{2})+$/.test(l))) return false;
  const endsInSw = (l: string): boolean => SW1.test(l.slice(-4, -2));
  const responses = hex.filter((_, i) => i % 2 === 1);
  const commands = hex.filter((_, i) => i % 2 === 0);
  if (!responses.every(endsInSw)) return false;
  return responses.some((l) => l.length < 8) || commands.some((l) => !endsInSw(l));
}
