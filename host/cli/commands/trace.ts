/**
 * `cardforge trace`: show, convert and replay APDU traces (host/trace). Formats are guessed from
 * the content (and for outputs from the file name) unless --from / --to name them; a line that
 * cannot be read is reported as FILE:LINE. `replay` exits 1 when a response really differs from
 * the recording (fields the spec marks random are masked).
 */
import { renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Command } from 'commander';
import { SeededRng, VirtualClock, bytesToHex } from '../../../card/runtime/index.js';
import { checkFormat, convertFile, FORMATS, formatFromName, guessMessage, readTraceFile, WRITABLE_FORMATS, type FormatName } from '../../trace/formats/index.js';
import { formatResult, formatSummary, replay, type ExchangeResult } from '../../trace/replay.js';
import { maskCommand } from '../../trace/mask.js';
import { showTrace, showTraceEvents } from '../../trace/show.js';
import { emitJson } from '../json/convention.js';
import { TRACE_CONVERT_JSON, TRACE_REPLAY_JSON, TRACE_SHOW_JSON } from '../json/outputs.js';
import { TraceError } from '../../trace/errors.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../errors.js';
import { addRawOption, addTargetOptions, openTarget, type TargetOptions } from '../target.js';

interface ReadFlags {
  from?: string;
  keepGoing?: boolean;
}

const formatList = FORMATS.map((f) => `${f.name}${f.writable ? '' : ' (read only)'}`).join(', ');
const writableList = WRITABLE_FORMATS.join(', ');

/** One replayed exchange (or ATR) as `trace replay --json` prints it. */
function resultJson(r: ExchangeResult): (typeof TRACE_REPLAY_JSON)['schema']['_zod']['input']['results'][number] {
  const h = (b: Uint8Array | undefined): string | null => (b ? bytesToHex(b) : null);
  return {
    kind: r.index < 0 ? 'atr' : 'exchange',
    n: r.index < 0 ? null : r.index + 1,
    name: r.name,
    command: maskCommand(r.command),
    verdict: r.status === 'no-response' ? 'different' : r.status,
    recorded: h(r.expected),
    actual: h(r.actual),
    diffs: r.diffs.map((d) => ({ field: d.field, recorded: bytesToHex(d.expected), actual: bytesToHex(d.actual), masked: d.masked, ...(d.keyDependent ? { keyDependent: true } : {}) })),
  };
}

function readOpts(opts: ReadFlags, ctx: CliContext): { format?: FormatName; onBadLine?: (e: TraceError) => void; bad: { n: number } } {
  const bad = { n: 0 };
  return {
    ...(opts.from ? { format: checkFormat(opts.from, '--from') } : {}),
    ...(opts.keepGoing
      ? {
          onBadLine: (e: TraceError) => {
            bad.n++;
            ctx.err(`cardforge: skipped ${e.message}`);
          },
        }
      : {}),
    bad,
  };
}

/** The count of what --keep-going skipped, for the summary (issue 15: never a silent drop). */
function reportSkipped(bad: { n: number }, ctx: CliContext): void {
  if (bad.n) ctx.err(`cardforge: ${bad.n} ${bad.n === 1 ? 'block' : 'blocks'} skipped (unreadable; each named above)`);
}

export function registerTrace(program: Command, ctx: CliContext): void {
  const trace = program.command('trace').description(`Show, convert and replay APDU traces (formats: ${formatList})`);

  trace
    .command('show')
    .description('Print a trace decoded: command names and fields, SW meanings; secrets (PINs, keys) starred')
    .argument('<file>', 'trace file (format guessed from the content)')
    .option('--from <format>', `input format: ${formatList}`)
    .option('--reveal', 'show secret fields (PIN and key values) instead of stars')
    .option('--keep-going', 'report unreadable lines and go on instead of stopping at the first')
    .option('--json', 'print the decoded trace as one JSON document (docs/json.md)')
    .action((file: string, opts: ReadFlags & { reveal?: boolean; json?: boolean }) => {
      const ro = readOpts(opts, ctx);
      const t = readTraceFile(file, ro);
      // A JSONL trace names itself in its header line; every other format is a guess worth saying.
      if (t.guessed && t.format !== 'native') ctx.err(`cardforge: ${guessMessage(t.format)}`);
      if (opts.json) {
        const events = [...showTraceEvents(t, { reveal: opts.reveal === true })];
        emitJson(ctx, TRACE_SHOW_JSON, { file, format: t.format, guessed: t.guessed, header: { ...t.header }, events, skipped: ro.bad.n });
      } else for (const line of showTrace(t, { reveal: opts.reveal === true })) ctx.out(line);
      reportSkipped(ro.bad, ctx);
      if (ro.bad.n) process.exitCode = EXIT.FAILURE;
    });

  trace
    .command('convert')
    .description('Convert a trace between formats')
    .argument('<in>', 'input trace')
    .argument('<out>', 'output file')
    .option('--from <format>', `input format (default: guessed from the content): ${formatList}`)
    .option('--to <format>', `output format (default: from the output file name): ${writableList}`)
    .option('--fold-get-response', 'GSMTAP input: fold each T=0 61xx + GET RESPONSE (and 6Cxx + re-sent command) into one APDU exchange')
    .option('--keep-going', 'report unreadable lines and go on instead of stopping at the first')
    .option('--json', 'print what was written (file, format, protocol, counts) as JSON (docs/json.md)')
    .action((input: string, output: string, opts: ReadFlags & { to?: string; foldGetResponse?: boolean; json?: boolean }) => {
      const ro = readOpts(opts, ctx);
      const to = opts.to ? checkFormat(opts.to, '--to', { writable: true }) : formatFromName(output);
      const read = { ...ro, fold: opts.foldGetResponse === true };
      // Written beside the output and renamed over it once complete: a conversion that fails
      // midway leaves no partial file, and an existing output stays as it was (issue 15 item 6).
      const tmp = join(dirname(output), `.${basename(output)}.${process.pid}.part`);
      let r;
      try {
        r = to ? convertFile(input, tmp, { ...read, to }) : convertFile(input, output, read); // no format: fails before writing
        if (to) renameSync(tmp, output);
      } catch (e) {
        rmSync(tmp, { force: true });
        // An output that cannot be written is named as the user named it, not by its temporary name.
        if (e instanceof TraceError && e.file === tmp) throw new TraceError(e.code, e.message.slice(tmp.length + 2), output, e.line);
        throw e;
      }
      if (opts.json) emitJson(ctx, TRACE_CONVERT_JSON, { input, output, from: r.from, to: r.to, protocol: r.protocol ?? null, protocolSource: r.protocolSource, events: r.events, commands: r.commands, responses: r.responses, atrs: r.atrs, skipped: ro.bad.n });
      else ctx.out(`converted ${input} (${r.from}) → ${output} (${r.to}): ${r.events} events (${r.commands} commands, ${r.responses} responses, ${r.atrs} ATRs), ${r.protocol ? `protocol ${r.protocol}${r.protocolSource === 'atr' ? ' (from the ATR)' : ''}` : 'protocol unknown (not stated)'}`);
      reportSkipped(ro.bad, ctx);
      if (ro.bad.n) process.exitCode = EXIT.FAILURE;
    });

  addRawOption(
    addTargetOptions(
      trace
        .command('replay')
        .description('Send the recorded commands to a card and compare each response with the recording')
        .argument('<file>', 'trace file (any readable format with responses)'),
    ),
  )
    .option('--from <format>', `input format: ${formatList}`)
    .option('--deterministic <seed>', 'with --card: seeded RNG and virtual clock, so a replay of a recording made with the same seed is byte-exact')
    .option('--no-mask', 'count differences in random fields (challenges, signatures) too')
    .option('--mask-key-dependent', 'also mask fields that depend on the card keys (SRES, Kc, AUTHENTICATE result): compare a card with other keys')
    .option('-q, --quiet', 'print only differing exchanges and the summary')
    .option('--json', 'print the summary and a verdict per exchange as one JSON document (docs/json.md)')
    .action(async (file: string, opts: TargetOptions & ReadFlags & { deterministic?: string; mask: boolean; maskKeyDependent?: boolean; quiet?: boolean; json?: boolean }) => {
      // --raw: the exchanges as recorded, the trace's own GET RESPONSEs included (a capture is not
      // folded), and the host fetches nothing — what a T=0 terminal's session really was.
      const read = readTraceFile(file, { ...readOpts(opts, ctx), ...(opts.raw ? { fold: false } : {}) });
      if (read.guessed && read.format !== 'native') ctx.err(`cardforge: ${guessMessage(read.format)}`);
      // Progress on a terminal only (stderr), so pipes and CI logs stay plain. Only then are the
      // events materialized (counted for the display, then replayed); otherwise they stream.
      const events = process.stderr.isTTY === true ? [...read.events] : undefined;
      const total = events ? events.filter((e) => e.kind === 'command').length : 0;
      const progress = total >= 2000;
      const t = events ? { ...read, events } : read;
      const det = opts.deterministic !== undefined ? { rng: new SeededRng(opts.deterministic), clock: new VirtualClock() } : undefined;
      const transport = openTarget({ ...opts, save: false }, det);
      const hex = (b: Uint8Array): string => bytesToHex(b).toUpperCase();
      let summary;
      let done = 0;
      const results: ReturnType<typeof resultJson>[] = [];
      try {
        summary = await replay(t, transport, {
          noMask: !opts.mask,
          maskKeyDependent: opts.maskKeyDependent === true,
          onExchange: (r) => {
            if (opts.json) {
              if (!opts.quiet || r.status !== 'same') results.push(resultJson(r));
            } else if (!opts.quiet || r.status === 'different') for (const l of formatResult(r, hex)) ctx.out(l);
            if (progress && ++done % 1000 === 0) process.stderr.write(`\rreplay: ${done}/${total} exchanges (${Math.round((100 * done) / total)}%)`);
          },
        });
      } finally {
        if (progress) process.stderr.write('\n');
        await transport.close();
      }
      if (opts.json) {
        const s = summary;
        emitJson(ctx, TRACE_REPLAY_JSON, { file, format: t.format, target: transport.name, ok: s.ok, exchanges: s.exchanges, same: s.same, masked: s.masked, different: s.different, swAgree: s.exchanges - s.swDifferent, atrs: s.atrs, atrsDifferent: s.atrsDifferent, results });
      } else ctx.out(formatSummary(summary));
      if (!summary.ok) process.exitCode = EXIT.FAILURE;
    });
}
