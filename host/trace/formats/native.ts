/**
 * The native trace format: JSON Lines. Line 1 is the header
 *   {"cardforge":"trace","version":1,"tool":"cardforge 0.1.0","target":"emulator card.json",...}
 * and every further line one event:
 *   {"e":"power-on","t":0,"transport":"emulator"}   {"e":"power-off"}   {"e":"reset"}
 *   {"e":"atr","atr":"3b89…"}
 *   {"e":"command","apdu":"00a40400…","ch":0}        ch = logical channel from the CLA (informative)
 *   {"e":"response","data":"…9000","sw":"9000","us":41}
 * t = µs since the start of the trace, us = µs the exchange took. The reader is strict: a line
 * that is not valid JSON, an unknown event, a bad hex field, an sw that disagrees with the data
 * or a response without a command is a TraceError naming file:line.
 */
import { decodeCla } from '../../../card/runtime/index.js';
import { TraceError, syntaxError, type OnBadLine } from '../errors.js';
import { TRACE_FORMAT_VERSION, type Trace, type TraceEvent, type TraceHeader } from '../events.js';
import { hexLower, parseHex, type LineReader, type Sink } from '../io.js';

type Obj = Record<string, unknown>;

function field(o: Obj, k: string, pos: LineReader, type: 'string' | 'number', required: boolean): unknown {
  const v = o[k];
  if (v === undefined) {
    if (required) throw syntaxError(pos, `"${String(o['e'])}" event needs "${k}"`);
    return undefined;
  }
  if (typeof v !== type || (type === 'number' && (!Number.isFinite(v) || (v as number) < 0))) {
    throw syntaxError(pos, `"${k}" expected ${type === 'number' ? 'a non-negative number' : 'a string'}, got ${JSON.stringify(v)}`);
  }
  return v;
}

function parseHeader(line: string | undefined, pos: LineReader): TraceHeader {
  if (line === undefined) throw syntaxError(pos, 'empty file: expected the header line {"cardforge":"trace",...}');
  let o: Obj;
  try {
    o = JSON.parse(line) as Obj;
  } catch (e) {
    throw syntaxError(pos, `header is not JSON (${(e as Error).message})`);
  }
  if (o === null || typeof o !== 'object' || o['cardforge'] !== 'trace') throw syntaxError(pos, 'the first line must be the header {"cardforge":"trace","version":1,...}');
  const v = o['version'];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw syntaxError(pos, `header "version" expected a positive integer, got ${JSON.stringify(v)}`);
  if (v > TRACE_FORMAT_VERSION) throw syntaxError(pos, `trace format version ${v} is newer than this cardforge reads (${TRACE_FORMAT_VERSION}); upgrade cardforge`);
  const tool = field(o, 'tool', pos, 'string', false) as string | undefined;
  const target = field(o, 'target', pos, 'string', false) as string | undefined;
  const start = field(o, 'start', pos, 'string', false) as string | undefined;
  const protocol = o['protocol'];
  if (protocol !== undefined && protocol !== 'T=0' && protocol !== 'T=1') throw syntaxError(pos, `header "protocol" expected "T=0" or "T=1", got ${JSON.stringify(protocol)}`);
  return { tool: tool ?? 'unknown', ...(target !== undefined ? { target } : {}), ...(start !== undefined ? { start } : {}), ...(protocol ? { protocol } : {}) };
}

function parseEvent(line: string, pos: LineReader, state: { open: boolean }): TraceEvent {
  let o: Obj;
  try {
    o = JSON.parse(line) as Obj;
  } catch (e) {
    throw syntaxError(pos, `not a JSON event (${(e as Error).message})`);
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw syntaxError(pos, 'an event must be a JSON object');
  const t = field(o, 't', pos, 'number', false) as number | undefined;
  const tt = t !== undefined ? { t } : {};
  switch (o['e']) {
    case 'command': {
      const apdu = parseHex(field(o, 'apdu', pos, 'string', true) as string, pos, '"apdu"');
      if (apdu.length < 4) throw syntaxError(pos, `"apdu" has ${apdu.length} bytes; a command has at least 4 (CLA INS P1 P2)`);
      const ch = o['ch'];
      if (ch !== undefined) {
        const info = decodeCla(apdu[0]!);
        if (typeof ch !== 'number' || (info && info.channel !== ch)) throw syntaxError(pos, `"ch" ${JSON.stringify(ch)} disagrees with CLA ${hexLower(apdu.subarray(0, 1))} (channel ${info?.channel ?? '?'})`);
      }
      state.open = true;
      return { kind: 'command', apdu, ...tt };
    }
    case 'response': {
      if (!state.open) throw syntaxError(pos, 'response without a command before it');
      state.open = false;
      const data = parseHex(field(o, 'data', pos, 'string', true) as string, pos, '"data"');
      if (data.length < 2) throw syntaxError(pos, `"data" has ${data.length} bytes; a response ends with SW1 SW2`);
      const sw = field(o, 'sw', pos, 'string', false) as string | undefined;
      if (sw !== undefined && sw.toLowerCase() !== hexLower(data.subarray(data.length - 2))) throw syntaxError(pos, `"sw" ${sw} disagrees with the last two bytes of "data" (${hexLower(data.subarray(data.length - 2))})`);
      const us = field(o, 'us', pos, 'number', false) as number | undefined;
      return { kind: 'response', data, ...tt, ...(us !== undefined ? { us } : {}) };
    }
    case 'atr': {
      const atr = parseHex(field(o, 'atr', pos, 'string', true) as string, pos, '"atr"');
      if (atr.length < 2) throw syntaxError(pos, '"atr" is too short');
      return { kind: 'atr', atr, ...tt };
    }
    case 'power-on': {
      state.open = false;
      const transport = field(o, 'transport', pos, 'string', false) as string | undefined;
      return { kind: 'power-on', ...tt, ...(transport !== undefined ? { transport } : {}) };
    }
    case 'power-off':
    case 'reset':
      state.open = false;
      return { kind: o['e'], ...tt };
    default:
      throw syntaxError(pos, `unknown event ${JSON.stringify(o['e'])}; expected one of power-on, power-off, reset, atr, command, response`);
  }
}

/** The logical channel decodeCla gives each class byte (-1: an invalid class byte). */
const CHANNEL = Int8Array.from({ length: 256 }, (_, cla) => decodeCla(cla)?.channel ?? -1);

/** Hex digit values by character code (-1: not a hex digit). */
const NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i;
for (let i = 0; i < 6; i++) NIBBLE[65 + i] = NIBBLE[97 + i] = 10 + i;

const COMMAND_HEAD = '{"e":"command","apdu":"';
const RESPONSE_HEAD = '{"e":"response","data":"';

/**
 * The events cardforge itself writes (eventLine: a command or a response, keys in its order, no
 * spaces, plain hex, integer times), read without JSON.parse or an intermediate object: the hot
 * path of replay and conversion. Anything else — another key order, spaces, escapes, a fraction,
 * an error of any kind — is undefined, and parseEvent reads the line (and words its errors), so
 * what a line means and every message stay exactly parseEvent's. One per reader: `at` is where
 * it is in the current line.
 */
class FastLines {
  private at = 0;
  private readonly nibble = NIBBLE;
  private readonly channel = CHANNEL;

  event(line: string, state: { open: boolean }): TraceEvent | undefined {
    if (line.charCodeAt(line.length - 1) !== 125) return undefined; // "}"
    if (line.startsWith(COMMAND_HEAD)) {
      this.at = COMMAND_HEAD.length;
      const apdu = this.hex(line, 4);
      if (apdu === undefined) return undefined;
      const ch = this.uint(line, ',"ch":');
      if (ch === -2) return undefined;
      if (ch >= 0) {
        const channel = this.channel[apdu[0]!]!;
        if (channel >= 0 && channel !== ch) return undefined;
      }
      const t = this.uint(line, ',"t":');
      if (t === -2 || this.at !== line.length - 1) return undefined;
      state.open = true;
      return t >= 0 ? { kind: 'command', apdu, t } : { kind: 'command', apdu };
    }
    if (line.startsWith(RESPONSE_HEAD)) {
      if (!state.open) return undefined;
      this.at = RESPONSE_HEAD.length;
      const data = this.hex(line, 2);
      if (data === undefined) return undefined;
      if (line.startsWith(',"sw":"', this.at)) {
        this.at += 7;
        const sw = this.hex(line, 2);
        const n = data.length;
        if (sw === undefined || sw.length !== 2 || sw[0] !== data[n - 2] || sw[1] !== data[n - 1]) return undefined;
      }
      const t = this.uint(line, ',"t":');
      if (t === -2) return undefined;
      const us = this.uint(line, ',"us":');
      if (us === -2 || this.at !== line.length - 1) return undefined;
      state.open = false;
      if (t >= 0) return us >= 0 ? { kind: 'response', data, t, us } : { kind: 'response', data, t };
      return us >= 0 ? { kind: 'response', data, us } : { kind: 'response', data };
    }
    return undefined;
  }

  /**
   * Bytes of the hex digits from `at` up to the closing quote (plain digits only, an even number
   * of at least `min` bytes); undefined for anything else. Leaves `at` after the quote.
   */
  private hex(line: string, min: number): Uint8Array | undefined {
    const from = this.at;
    const end = line.indexOf('"', from);
    const digits = end - from;
    if (end < 0 || digits & 1 || digits < 2 * min) return undefined;
    const nib = this.nibble;
    const out = new Uint8Array(digits >> 1);
    for (let i = from, k = 0; i < end; i += 2, k++) {
      const a = line.charCodeAt(i);
      const b = line.charCodeAt(i + 1);
      const hi = a < 128 ? nib[a]! : -1;
      const lo = b < 128 ? nib[b]! : -1;
      if ((hi | lo) < 0) return undefined;
      out[k] = (hi << 4) | lo;
    }
    this.at = end + 1;
    return out;
  }

  /**
   * A JSON number field `,"name":N` at `at` with N a plain non-negative integer (0, or no leading
   * zero and at most 15 digits: exact as a double); -1 when the line has no such field there, -2
   * when it has the name but not such a number (the full parser decides).
   */
  private uint(line: string, name: string): number {
    if (!line.startsWith(name, this.at)) return -1;
    const start = this.at + name.length;
    let i = start;
    let v = 0;
    for (let c = line.charCodeAt(i); c >= 48 && c <= 57; c = line.charCodeAt(++i)) v = v * 10 + (c - 48);
    const n = i - start;
    if (n === 0 || n > 15 || (n > 1 && line.charCodeAt(start) === 48)) return -2;
    this.at = i;
    return v;
  }
}

/**
 * A native trace's header and its events, read lazily. `fastPath: false` reads every line with
 * JSON.parse (the two ways give the same events and the same errors; a test holds them equal).
 */
export function readNative(src: LineReader, onBad?: OnBadLine, opts: { fastPath?: boolean } = {}): Trace {
  const header = parseHeader(src.next(), src);
  const fastLines = opts.fastPath !== false ? new FastLines() : undefined;
  function* events(): Generator<TraceEvent> {
    const state = { open: false };
    for (let line = src.nextUnchecked(); line !== undefined; line = src.nextUnchecked()) {
      const fast = fastLines !== undefined ? fastLines.event(line, state) : undefined;
      if (fast !== undefined) {
        yield fast;
        continue;
      }
      src.check(line); // a line of ours has no binary content; any other line is checked
      if (line.trim() === '') continue;
      try {
        yield parseEvent(line, src, state);
      } catch (e) {
        if (!(e instanceof TraceError) || !onBad) throw e;
        onBad(e);
      }
    }
  }
  return { header, events: events() };
}

export function headerLine(h: TraceHeader): string {
  return JSON.stringify({ cardforge: 'trace', version: TRACE_FORMAT_VERSION, ...h }) + '\n';
}

/** One event as its JSON line (hand-built: this is the hot path of recording and conversion). */
export function eventLine(e: TraceEvent): string {
  const t = e.t !== undefined ? `,"t":${e.t}` : '';
  switch (e.kind) {
    case 'command': {
      const ch = decodeCla(e.apdu[0]!)?.channel;
      return `{"e":"command","apdu":"${hexLower(e.apdu)}"${ch !== undefined ? `,"ch":${ch}` : ''}${t}}\n`;
    }
    case 'response': {
      const n = e.data.length;
      return `{"e":"response","data":"${hexLower(e.data)}","sw":"${hexLower(e.data.subarray(n - 2))}"${t}${e.us !== undefined ? `,"us":${e.us}` : ''}}\n`;
    }
    case 'atr':
      return `{"e":"atr","atr":"${hexLower(e.atr)}"${t}}\n`;
    case 'power-on':
      return `{"e":"power-on"${t}${e.transport !== undefined ? `,"transport":${JSON.stringify(e.transport)}` : ''}}\n`;
    default:
      return `{"e":"${e.kind}"${t}}\n`;
  }
}

export function writeNative(trace: Trace, sink: Sink): void {
  sink.write(headerLine(trace.header));
  let batch = '';
  let n = 0;
  for (const e of trace.events) {
    batch += eventLine(e);
    if (++n === 512) {
      sink.write(batch);
      batch = '';
      n = 0;
    }
  }
  if (batch) sink.write(batch);
}
