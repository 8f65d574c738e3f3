/**
 * Replay: send a trace's commands to a Transport (power-on → connect, reset → reset) and compare
 * every response with the recorded one, field by field as apdu-specs declares them. A field the
 * spec marks `random` (challenges, signatures over fresh nonces) may differ: it is masked. Any
 * other difference — status word, a declared field, undeclared data, a different ATR — is real,
 * and a replay with a real difference is not ok. A field marked `keyDependent` (SRES, Kc, RES…)
 * is reported as such; with `maskKeyDependent` it does not count either, so a trace recorded from
 * one SIM can be replayed against a card with another Ki. A GET RESPONSE that fetches the data of
 * the command before it (9Fxx / 61xx) is cut by that command's declared response. Against the emulator with a seeded RNG and a
 * virtual clock (the same seed as the recording) a replay is byte-exact.
 */
import type { Transport } from '../transport/types.js';
import { commandName, cutFields, specOf, decodeResponse } from './decode.js';
import { TraceError } from './errors.js';
import { swOf, type Trace } from './events.js';
import { maskCommand } from './mask.js';

export interface FieldDiff {
  /** Declared field name, "SW", "data" (undeclared bytes) or "ATR". */
  readonly field: string;
  readonly expected: Uint8Array;
  readonly actual: Uint8Array;
  /** The spec marks the field random (or key-dependent, with maskKeyDependent): the difference does not count. */
  readonly masked: boolean;
  /** The spec marks the field key-dependent (computed with the card's Ki/K). */
  readonly keyDependent?: boolean;
}

export type ExchangeStatus = 'same' | 'masked' | 'different' | 'no-response';

export interface ExchangeResult {
  /** 0-based exchange number in the trace (-1 for an ATR comparison). */
  readonly index: number;
  readonly name: string;
  readonly command: Uint8Array;
  readonly expected: Uint8Array | undefined;
  readonly actual: Uint8Array | undefined;
  readonly status: ExchangeStatus;
  readonly diffs: readonly FieldDiff[];
}

export interface ReplaySummary {
  /** Command/response exchanges replayed: always same + masked + different (ATRs are counted apart). */
  readonly exchanges: number;
  readonly same: number;
  readonly masked: number;
  readonly different: number;
  /** Recorded ATRs compared with the card's. */
  readonly atrs: number;
  /** Recorded ATRs the card's ATR differs from (each one is also a real difference: the replay is not ok). */
  readonly atrsDifferent: number;
  /** Exchanges whose status word differs (the conformance figure: how often the card answers as the recorded one). */
  readonly swDifferent: number;
  /** Results other than 'same' (kept for the report). */
  readonly notable: readonly ExchangeResult[];
  readonly ok: boolean;
}

export interface ReplayOptions {
  /** Called for every exchange as it completes (the CLI prints from here). */
  onExchange?: (r: ExchangeResult) => void;
  /** Compare without masking random fields. */
  noMask?: boolean;
  /** Key-dependent fields (SRES, Kc, RES, CK, IK, AUTS) may differ: replaying against a card with another Ki. */
  maskKeyDependent?: boolean;
}

const isGetResponse = (cmd: Uint8Array): boolean => cmd.length >= 4 && cmd[1] === 0xc0;
const isMoreData = (resp: Uint8Array): boolean => resp.length === 2 && (resp[0] === 0x9f || resp[0] === 0x61);

/** The diffs of a 'same' exchange (shared: nothing is ever added to it). */
const NO_DIFFS: readonly FieldDiff[] = Object.freeze([]);

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Compare a response with the recorded one, by declared fields. `dataOf`: for a GET RESPONSE, the
 * command whose response data it fetches (its declared layout applies).
 */
export function compareResponse(
  command: Uint8Array, expected: Uint8Array, actual: Uint8Array, noMask = false, opts: { dataOf?: Uint8Array; maskKeyDependent?: boolean } = {},
): { status: ExchangeStatus; diffs: FieldDiff[] } {
  if (equal(expected, actual)) return { status: 'same', diffs: [] };
  const diffs: FieldDiff[] = [];
  const spec = specOf(opts.dataOf ?? command);
  const se = swOf(expected);
  const sa = swOf(actual);
  if (se !== sa) diffs.push({ field: 'SW', expected: expected.subarray(expected.length - 2), actual: actual.subarray(Math.max(0, actual.length - 2)), masked: false });
  const de = expected.subarray(0, Math.max(0, expected.length - 2));
  const da = actual.subarray(0, Math.max(0, actual.length - 2));
  if (!equal(de, da)) {
    // Data is only read by its declared layout when the command succeeded both times.
    const layout = se === sa ? spec?.response : undefined;
    const ce = cutFields(layout, de);
    const ca = cutFields(layout, da);
    const n = Math.max(ce.fields.length, ca.fields.length);
    const empty = new Uint8Array(0);
    for (let i = 0; i < n; i++) {
      const fe = ce.fields[i];
      const fa = ca.fields[i];
      const e = fe?.bytes ?? empty;
      const a = fa?.bytes ?? empty;
      if (equal(e, a)) continue;
      const name = (fe ?? fa)!.name;
      const random = (fe ?? fa)!.random;
      const keyDependent = layout?.find((f) => f.name === name)?.keyDependent === true;
      const maskable = (random || (keyDependent && opts.maskKeyDependent === true)) && e.length === a.length && !noMask;
      diffs.push({ field: name, expected: e, actual: a, masked: maskable, ...(keyDependent ? { keyDependent } : {}) });
    }
    const xe = ce.extra ?? empty;
    const xa = ca.extra ?? empty;
    if (!equal(xe, xa)) diffs.push({ field: layout ? 'data after the declared fields' : 'data', expected: xe, actual: xa, masked: false });
  }
  return { status: diffs.some((d) => !d.masked) ? 'different' : 'masked', diffs };
}

export async function replay(trace: Trace, transport: Transport, opts: ReplayOptions = {}): Promise<ReplaySummary> {
  let connected = false;
  let pending: Uint8Array | undefined;
  // The exchange before this one (a GET RESPONSE fetches its data).
  let previousCmd: Uint8Array | undefined;
  let previousResp: Uint8Array | undefined;
  let index = 0;
  let same = 0;
  let masked = 0;
  let different = 0;
  let swDifferent = 0;
  let atrs = 0;
  let atrsDifferent = 0;
  const notable: ExchangeResult[] = [];
  let lastAtr: Uint8Array | undefined;
  const report = (r: ExchangeResult): void => {
    if (r.index < 0) {
      // An ATR is not an exchange: counted apart, so same + masked + different = exchanges.
      if (r.status !== 'same') {
        atrsDifferent++;
        notable.push(r);
      }
      opts.onExchange?.(r);
      return;
    }
    if (r.diffs.some((d) => d.field === 'SW')) swDifferent++;
    if (r.status === 'same') same++;
    else {
      if (r.status === 'masked') masked++;
      else different++;
      notable.push(r);
    }
    opts.onExchange?.(r);
  };
  // Exchanges since the card last answered to reset: an ATR after exchanges means the card was
  // reset (a GSMTAP or sniffer trace records the ATR, not the reset that caused it).
  let exchangedSinceAtr = false;
  const connect = async (): Promise<void> => {
    lastAtr = await transport.connect();
    connected = true;
    exchangedSinceAtr = false;
  };
  try {
    for (const e of trace.events) {
      switch (e.kind) {
        case 'power-on':
          await connect();
          break;
        case 'power-off':
          // The next power-on connects again; pcsc and emulator transports both allow it.
          break;
        case 'reset':
          if (!connected) await connect();
          else lastAtr = await transport.reset();
          exchangedSinceAtr = false;
          break;
        case 'atr':
          if (!connected) await connect();
          else if (exchangedSinceAtr) lastAtr = await transport.reset();
          exchangedSinceAtr = false;
          if (!lastAtr) break;
          atrs++;
          if (!equal(lastAtr, e.atr)) {
            report({ index: -1, name: 'ATR', command: new Uint8Array(0), expected: e.atr, actual: lastAtr, status: 'different', diffs: [{ field: 'ATR', expected: e.atr, actual: lastAtr, masked: false }] });
          }
          break;
        case 'command':
          if (!connected) await connect();
          pending = e.apdu;
          break;
        case 'response': {
          if (!pending) break;
          const cmd = pending;
          pending = undefined;
          const actual = await transport.transmit(cmd);
          exchangedSinceAtr = true;
          const expected = e.data;
          // The common case first: the card answered as recorded (nothing to cut into fields).
          if (equal(expected, actual)) {
            previousCmd = cmd;
            previousResp = expected;
            report({ index: index++, name: opts.onExchange ? commandName(cmd) : '', command: cmd, expected, actual, status: 'same', diffs: NO_DIFFS });
            break;
          }
          const dataOf = isGetResponse(cmd) && previousResp !== undefined && isMoreData(previousResp) ? previousCmd : undefined;
          const c = compareResponse(cmd, expected, actual, opts.noMask, { ...(dataOf ? { dataOf } : {}), ...(opts.maskKeyDependent ? { maskKeyDependent: true } : {}) });
          previousCmd = cmd;
          previousResp = expected;
          report({ index: index++, name: commandName(cmd), command: cmd, expected, actual, ...c });
          break;
        }
      }
    }
  } catch (err) {
    if (err instanceof TraceError) throw err;
    const msg = err instanceof Error ? err.message : String(err);
    throw new TraceError('TRACE_REPLAY', `replay stopped at exchange ${index + 1}: ${msg}`);
  }
  if (index === 0 && atrsDifferent === 0) throw new TraceError('TRACE_REPLAY', 'the trace has no exchange with a recorded response to replay');
  return { exchanges: index, same, masked, different, atrs, atrsDifferent, swDifferent, notable, ok: different === 0 && atrsDifferent === 0 };
}

/** The summary line `trace replay` prints: the exchange counts add up to the total; ATRs apart. */
export function formatSummary(s: ReplaySummary): string {
  const atr = s.atrs === 0 ? 'no ATR recorded' : `${s.atrs} ${s.atrs === 1 ? 'ATR' : 'ATRs'} compared, ${s.atrsDifferent} different`;
  return `replay: ${s.exchanges} exchanges: ${s.same} same, ${s.masked} same except random fields, ${s.different} different; status words agree on ${s.exchanges - s.swDifferent} of ${s.exchanges}; ${atr}`;
}

/** Human lines for one replayed exchange. */
export function formatResult(r: ExchangeResult, hex: (b: Uint8Array) => string): string[] {
  // decodeResponse fills the SW's placeholder: 611A is "26 response bytes are still available", not "xx …".
  const sw = (b: Uint8Array): string => (b.length === 2 ? `${hex(b)} (${decodeResponse(b).meaning})` : hex(b));
  // The command as recorded, its secret part starred (host/trace/mask.ts): a replay report is terminal output.
  const head = r.index < 0 ? 'ATR' : `#${r.index + 1} > ${maskCommand(r.command).toUpperCase()} (${r.name})`;
  if (r.status === 'same') return [`${head}  same`];
  const lines = [`${head}  ${r.status === 'masked' ? 'same except random fields' : 'DIFFERENT'}`];
  for (const d of r.diffs) {
    const show = d.field === 'SW' ? sw : hex;
    const tag = d.keyDependent ? (d.masked ? ' (key-dependent, masked)' : ' (key-dependent)') : d.masked ? ' (random, masked)' : '';
    lines.push(`    ${d.field}${tag}: recorded ${show(d.expected) || '(none)'}, got ${show(d.actual) || '(none)'}`);
  }
  return lines;
}
