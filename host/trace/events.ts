/**
 * The trace model every reader produces and every writer consumes: a header and a stream of
 * events (power on/off, reset, ATR, command, response). A response belongs to the command before
 * it; `t` is microseconds since the start of the trace, `us` the time the exchange took. Formats
 * that cannot carry a field (timing, channel, power) simply leave it out.
 */
import { responseSw } from '../../card/runtime/index.js';

export const TRACE_FORMAT_VERSION = 1;

export interface TraceHeader {
  /** Producer, e.g. "cardforge 0.1.0" or "converted from gsmtap". */
  readonly tool: string;
  /** What was traced: "emulator card.json", "pcsc:Virtual PCD 00 00", a file name. */
  readonly target?: string;
  /** Wall-clock start of the trace (ISO 8601), when known. */
  readonly start?: string;
  /** Protocol of the session, when known. */
  readonly protocol?: 'T=0' | 'T=1';
}

export type TraceEvent =
  | { readonly kind: 'power-on'; readonly t?: number; readonly transport?: string }
  | { readonly kind: 'power-off'; readonly t?: number }
  | { readonly kind: 'reset'; readonly t?: number }
  | { readonly kind: 'atr'; readonly atr: Uint8Array; readonly t?: number }
  | { readonly kind: 'command'; readonly apdu: Uint8Array; readonly t?: number }
  | { readonly kind: 'response'; readonly data: Uint8Array; readonly t?: number; readonly us?: number };

export type TraceEventKind = TraceEvent['kind'];

export interface Trace {
  readonly header: TraceHeader;
  readonly events: Iterable<TraceEvent>;
}

/** One command with its response (undefined when the card never answered: a tear, a removal). */
export interface Exchange {
  readonly index: number;
  readonly command: Uint8Array;
  readonly response: Uint8Array | undefined;
  readonly us?: number;
}

/** Status word of a response (-1 when shorter than 2 bytes). */
export function swOf(response: Uint8Array): number {
  return responseSw(response);
}

/** Pair commands with their responses, in order. */
export function* exchangesOf(events: Iterable<TraceEvent>): Generator<Exchange> {
  let pending: { apdu: Uint8Array } | undefined;
  let index = 0;
  for (const e of events) {
    if (e.kind === 'command') {
      if (pending) yield { index: index++, command: pending.apdu, response: undefined };
      pending = { apdu: e.apdu };
    } else if (e.kind === 'response') {
      if (pending) {
        yield { index: index++, command: pending.apdu, response: e.data, ...(e.us !== undefined ? { us: e.us } : {}) };
        pending = undefined;
      }
    } else if (pending) {
      yield { index: index++, command: pending.apdu, response: undefined };
      pending = undefined;
    }
  }
  if (pending) yield { index: index++, command: pending.apdu, response: undefined };
}

/** Drop what a format cannot carry, so traces read from different formats compare equal. */
export function stripEvents(events: Iterable<TraceEvent>, keep: { time?: boolean; power?: boolean } = {}): TraceEvent[] {
  const out: TraceEvent[] = [];
  for (const e of events) {
    if (!keep.power && (e.kind === 'power-on' || e.kind === 'power-off' || e.kind === 'reset')) continue;
    switch (e.kind) {
      case 'atr':
        out.push({ kind: 'atr', atr: e.atr });
        break;
      case 'command':
        out.push({ kind: 'command', apdu: e.apdu });
        break;
      case 'response':
        out.push({ kind: 'response', data: e.data, ...(keep.time && e.us !== undefined ? { us: e.us } : {}) });
        break;
      default:
        out.push(keep.time ? e : { kind: e.kind });
    }
  }
  return out;
}
