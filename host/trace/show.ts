/**
 * `trace show`: a trace as people read it — power events, ATRs, each command with its name and
 * declared fields, each response with its status word explained and its fields named, timing
 * when recorded. Secret commands (mask.ts: by declaration, even when the length does not parse)
 * are starred unless `reveal`.
 * A SELECT by FID or path shows the file it reaches instead of its data; an FCP or GSM response
 * is shown tag by tag, a READ or UPDATE of a declared EF through the EF's codec (ExchangeDecoder).
 */
import { bytesToHex } from '../../card/runtime/index.js';
import { ExchangeDecoder, commandFields, cutFields, decodeResponse, showField, type FieldCut } from './decode.js';
import type { CommandSpec } from '../../apdu-specs/index.js';
import type { Trace } from './events.js';
import { spacedHex as spaced } from './mask.js';


function fieldLines(cut: FieldCut | undefined, reveal: boolean): string[] {
  if (!cut) return [];
  const out = cut.fields.filter((f) => f.bytes.length > 0).map((f) => `      ${f.name}: ${showField(f, reveal)}${f.random ? '  (random)' : ''}`);
  if (cut.extra && cut.fields.length) out.push(`      (undeclared): ${cut.secret && !reveal ? '*'.repeat(cut.extra.length * 2) : bytesToHex(cut.extra).toUpperCase()}`);
  return out;
}

export function* showTrace(trace: Trace, opts: { reveal?: boolean } = {}): Generator<string> {
  const reveal = opts.reveal === true;
  const h = trace.header;
  yield `trace from ${h.tool}${h.target ? `, target ${h.target}` : ''}${h.protocol ? `, ${h.protocol}` : ''}${h.start ? `, started ${h.start}` : ''}`;
  let n = 0;
  let cmd: Uint8Array | undefined;
  let cmdSpec: CommandSpec | undefined;
  const decoder = new ExchangeDecoder();
  for (const e of trace.events) {
    const at = e.t !== undefined ? `  [t=${(e.t / 1000).toFixed(3)} ms]` : '';
    switch (e.kind) {
      case 'power-on':
        decoder.reset();
        yield `power on${e.transport ? ` (${e.transport})` : ''}${at}`;
        break;
      case 'power-off':
        yield `power off${at}`;
        break;
      case 'reset':
        decoder.reset();
        yield `reset${at}`;
        break;
      case 'atr':
        yield `ATR ${spaced(bytesToHex(e.atr))}${at}`;
        break;
      case 'command': {
        const d = decoder.command(e.apdu, { reveal });
        n++;
        cmd = e.apdu;
        cmdSpec = d.spec;
        yield `#${n} > ${spaced(d.text)}  (${d.name}${d.channel ? `, channel ${d.channel}` : ''})${at}`;
        if (d.file !== undefined) yield `      file: ${d.file}`;
        if (d.params !== undefined) yield `      ${d.params}`;
        if (d.file === undefined) yield* fieldLines(commandFields(e.apdu, d.spec), reveal);
        for (const line of d.details ?? []) yield `      ${line}`;
        break;
      }
      case 'response': {
        const r = cmd ? decoder.observe(cmd, e.data) : decodeResponse(e.data);
        const us = e.us !== undefined ? `  [${e.us} µs]` : '';
        yield `   < ${r.data.length ? `${spaced(bytesToHex(r.data))}  ` : ''}${r.swHex.toUpperCase()}  ${r.meaning}${us}`;
        const spec = cmd ? cmdSpec : undefined;
        if (r.details) for (const line of r.details) yield `      ${line}`;
        else if (spec?.response && r.data.length && (r.sw === 0x9000 || r.sw >> 8 === 0x91 || r.sw >> 8 === 0x62 || r.sw >> 8 === 0x63)) yield* fieldLines(cutFields(spec.response, r.data), reveal);
        cmd = undefined;
        break;
      }
    }
  }
}

/** A declared field as `trace show --json` prints it: hex, or stars for a secret unless revealed. */
export interface ShownField {
  readonly name: string;
  readonly value: string;
  readonly random?: true;
}

/** One event of `trace show --json`: power events and ATRs as they come, commands paired with their responses. */
export type ShownEvent =
  | { readonly kind: 'power-on'; readonly t?: number; readonly transport?: string }
  | { readonly kind: 'power-off' | 'reset'; readonly t?: number }
  | { readonly kind: 'atr'; readonly atr: string; readonly t?: number }
  | {
      readonly kind: 'exchange';
      readonly n: number;
      readonly command: string;
      readonly name: string;
      readonly channel: number;
      readonly file?: string;
      readonly params?: string;
      readonly fields: ShownField[];
      readonly details?: string[];
      /** null when the card never answered (a tear, a removal, the trace ends). */
      readonly response: string | null;
      readonly sw: string | null;
      readonly meaning: string | null;
      readonly responseFields?: ShownField[];
      readonly responseDetails?: string[];
      readonly t?: number;
      readonly us?: number;
    };

function shownFields(cut: FieldCut | undefined, reveal: boolean): ShownField[] {
  if (!cut) return [];
  const out: ShownField[] = cut.fields.filter((f) => f.bytes.length > 0).map((f) => ({ name: f.name, value: showField(f, reveal).toLowerCase(), ...(f.random ? { random: true as const } : {}) }));
  if (cut.extra && cut.fields.length) out.push({ name: '(undeclared)', value: cut.secret && !reveal ? '*'.repeat(cut.extra.length * 2) : bytesToHex(cut.extra) });
  return out;
}

/**
 * The trace as `trace show --json` prints it: the same decoding as showTrace (names, files,
 * fields, SW meanings; a secret command's data starred unless `reveal`), as data.
 */
export function* showTraceEvents(trace: Trace, opts: { reveal?: boolean } = {}): Generator<ShownEvent> {
  const reveal = opts.reveal === true;
  const decoder = new ExchangeDecoder();
  let n = 0;
  let open: { cmd: Uint8Array; spec: CommandSpec | undefined; shown: Extract<ShownEvent, { kind: 'exchange' }> } | undefined;
  const unanswered = function* (): Generator<ShownEvent> {
    if (open) yield open.shown;
    open = undefined;
  };
  const t = (v: number | undefined): { t?: number } => (v !== undefined ? { t: v } : {});
  for (const e of trace.events) {
    if (e.kind === 'response') {
      if (!open) continue; // a response without a command: the readers never produce one
      const r = decoder.observe(open.cmd, e.data);
      const fields = !r.details && open.spec?.response && r.data.length && (r.sw === 0x9000 || r.sw >> 8 === 0x91 || r.sw >> 8 === 0x62 || r.sw >> 8 === 0x63) ? shownFields(cutFields(open.spec.response, r.data), reveal) : [];
      yield {
        ...open.shown,
        response: bytesToHex(e.data),
        sw: r.sw < 0 ? null : r.swHex,
        meaning: r.meaning,
        ...(fields.length ? { responseFields: fields } : {}),
        ...(r.details ? { responseDetails: [...r.details] } : {}),
        ...(e.us !== undefined ? { us: e.us } : {}),
      };
      open = undefined;
      continue;
    }
    yield* unanswered();
    switch (e.kind) {
      case 'power-on':
        decoder.reset();
        yield { kind: 'power-on', ...t(e.t), ...(e.transport ? { transport: e.transport } : {}) };
        break;
      case 'power-off':
        yield { kind: 'power-off', ...t(e.t) };
        break;
      case 'reset':
        decoder.reset();
        yield { kind: 'reset', ...t(e.t) };
        break;
      case 'atr':
        yield { kind: 'atr', atr: bytesToHex(e.atr), ...t(e.t) };
        break;
      case 'command': {
        const d = decoder.command(e.apdu, { reveal });
        const fields = d.file === undefined ? shownFields(commandFields(e.apdu, d.spec), reveal) : [];
        open = {
          cmd: e.apdu,
          spec: d.spec,
          shown: {
            kind: 'exchange',
            n: ++n,
            command: d.text.toLowerCase(),
            name: d.name,
            channel: d.channel,
            ...(d.file !== undefined ? { file: d.file } : {}),
            ...(d.params !== undefined ? { params: d.params } : {}),
            fields,
            ...(d.details ? { details: [...d.details] } : {}),
            response: null,
            sw: null,
            meaning: null,
            ...t(e.t),
          },
        };
        break;
      }
    }
  }
  yield* unanswered();
}
