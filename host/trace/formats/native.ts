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

export function readNative(src: LineReader, onBad?: OnBadLine): Trace {
  const header = parseHeader(src.next(), src);
  function* events(): Generator<TraceEvent> {
    const state = { open: false };
    for (let line = src.next(); line !== undefined; line = src.next()) {
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
