/**
 * The two trace rows of issue 20, each measured side by side with its floor in one run:
 *
 * - `trace replay` from a file, as the CLI runs it (the real `trace replay FILE --card IMAGE -q`
 *   command, in process: commander, image load, streaming read, replay with field-by-field
 *   comparison, summary), against a minimal script doing the same work by hand (load the image,
 *   read the file, JSON.parse each line, hex-decode, Card.transmit, compare bytes). Unit APDU/s.
 * - `trace convert` of a native trace with 1,000,000 exchanges to pcapng (convertFile, what the
 *   CLI calls), against the floor "read the file and JSON.parse every line, nothing else". Unit s.
 *
 * Rounds are interleaved (floor, ours, floor, ours …) so load on this shared machine hits both
 * alike; the figures are medians with min–max and the load average before and after. The traces
 * are generated here (never committed) from a loopback card, so every recorded response is what
 * the card answers: a replay that reports any difference fails the row (it throws).
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Card, buildAtr, hexToBytes } from '../card/runtime/index.js';
import { LoopbackApplet } from '../card/applets/index.js';
import { LOOPBACK_AID } from '../apdu-specs/loopback.js';
import type { TraceEvent } from '../host/trace/events.js';
import { convertFile, writeTraceFile } from '../host/trace/formats/index.js';
import { saveImageFile, loadImageFile } from '../host/store/image-file.js';
import { createProgram } from '../host/cli/program.js';

/** A row's figures: ours and the same-run baseline (floor), medians of interleaved rounds. */
export interface TraceRowResult {
  /** Our median. */
  ours: number;
  /** The floor's median, measured in the same rounds. */
  baseline: number;
  unit: 'APDU/s' | 's';
  /** ours ÷ baseline for a rate; baseline ÷ ours for a time: ≥ 1 means as fast as the floor. */
  ratio: number;
  oursMin: number;
  oursMax: number;
  baselineMin: number;
  baselineMax: number;
  rounds: number;
  /** os.loadavg() [1, 5, 15 min] before and after the rounds. */
  loadBefore: number[];
  loadAfter: number[];
  /** How it was measured, in words (for the bench table's "measured as"). */
  method: string;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function summarise(ours: number[], base: number[], unit: 'APDU/s' | 's', loadBefore: number[], method: string): TraceRowResult {
  const o = median(ours);
  const b = median(base);
  return {
    ours: o,
    baseline: b,
    unit,
    ratio: unit === 's' ? b / o : o / b,
    oursMin: Math.min(...ours),
    oursMax: Math.max(...ours),
    baselineMin: Math.min(...base),
    baselineMax: Math.max(...base),
    rounds: ours.length,
    loadBefore,
    loadAfter: loadavg(),
    method,
  };
}

// --- the generated traces --------------------------------------------------------------------

/** The commands of the generated sessions: SELECT, fixed 16 bytes, echo, write, read (loopback). */
const COMMANDS = ['00A404000AF0636172646667010001', '8012000010', '8010000005AABBCCDDEE', '8016000003010203', '8018000003'].map(hexToBytes);

function loopback(): Card {
  const card = new Card({ atr: buildAtr([1], new TextEncoder().encode('cardforge')) });
  card.install(LoopbackApplet, { aid: LOOPBACK_AID, default: true });
  return card;
}

/** A recorded-looking session of n exchanges: the responses are the loopback card's own. */
function* session(n: number): Generator<TraceEvent> {
  const card = loopback();
  const atr = card.powerOn();
  yield { kind: 'power-on', t: 0, transport: 'emulator' };
  yield { kind: 'atr', atr, t: 0 };
  for (let i = 0; i < n; i++) {
    const apdu = COMMANDS[i % COMMANDS.length]!;
    yield { kind: 'command', apdu, t: i * 50 + 10 };
    yield { kind: 'response', data: card.transmit(apdu), t: i * 50 + 30, us: 20 };
  }
  yield { kind: 'power-off', t: n * 50 + 10 };
}

/** Write a native trace of n exchanges into dir; returns its path. */
export function generateNativeTrace(dir: string, n: number): string {
  const file = join(dir, `gen-${n}.jsonl`);
  writeTraceFile({ header: { tool: 'cardforge bench', target: 'emulator loopback', protocol: 'T=1' }, events: session(n) }, 'native', file);
  return file;
}

// --- floors ----------------------------------------------------------------------------------

/** Lines of a file in 1 MiB chunks: the least a line-based reader does. */
function forEachLine(path: string, f: (line: string) => void): void {
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  let rest = '';
  try {
    for (let n = readSync(fd, buf, 0, buf.length, null); n > 0; n = readSync(fd, buf, 0, buf.length, null)) {
      const text = rest + buf.toString('utf8', 0, n);
      let start = 0;
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', start)) {
        f(text.slice(start, i));
        start = i + 1;
      }
      rest = text.slice(start);
    }
    if (rest) f(rest);
  } finally {
    closeSync(fd);
  }
}

/** Floor of convert: read the file and JSON.parse every line. Returns seconds. */
export function convertFloorOnce(path: string): number {
  const t0 = performance.now();
  let n = 0;
  forEachLine(path, (line) => {
    if ((JSON.parse(line) as { e?: string }).e !== undefined) n++;
  });
  const s = (performance.now() - t0) / 1000;
  if (n === 0) throw new Error('convert floor: no event parsed');
  return s;
}

/** Ours for convert: convertFile native → pcapng (what `trace convert` calls). Returns seconds. */
export function convertOursOnce(path: string, out: string, exchanges: number): number {
  const t0 = performance.now();
  const r = convertFile(path, out, { to: 'pcapng' });
  const s = (performance.now() - t0) / 1000;
  if (r.commands !== exchanges || r.responses !== exchanges) throw new Error(`convert: ${r.commands} commands and ${r.responses} responses written, expected ${exchanges} of each`);
  return s;
}

/**
 * Floor of replay: a minimal script — load the image, read the trace, JSON.parse each line,
 * hex-decode, Card.transmit, compare. Returns APDU/s.
 */
export function replayFloorOnce(trace: string, image: string, exchanges: number): number {
  const t0 = performance.now();
  const card = loadImageFile(image);
  let cmd: Uint8Array | undefined;
  let n = 0;
  let diff = 0;
  let header = true;
  forEachLine(trace, (line) => {
    if (header) {
      header = false;
      return;
    }
    const o = JSON.parse(line) as { e: string; apdu?: string; data?: string };
    if (o.e === 'power-on') card.powerOn();
    else if (o.e === 'command') cmd = Buffer.from(o.apdu!, 'hex');
    else if (o.e === 'response' && cmd) {
      const rsp = card.transmit(cmd);
      if (!Buffer.from(o.data!, 'hex').equals(rsp)) diff++;
      n++;
      cmd = undefined;
    }
  });
  const s = (performance.now() - t0) / 1000;
  if (n !== exchanges || diff !== 0) throw new Error(`replay floor: ${n} exchanges, ${diff} different (expected ${exchanges}, 0)`);
  return n / s;
}

/** Ours for replay: the CLI's `trace replay TRACE --card IMAGE -q`, in process. Returns APDU/s. */
export async function replayOursOnce(trace: string, image: string, exchanges: number): Promise<number> {
  const out: string[] = [];
  const ctx = { out: (l: string) => void out.push(l), err: (l: string) => void out.push(l) };
  const before = process.exitCode;
  const t0 = performance.now();
  await createProgram(ctx).parseAsync(['node', 'cardforge', 'trace', 'replay', trace, '--card', image, '-q']);
  const s = (performance.now() - t0) / 1000;
  const failed = process.exitCode !== before && process.exitCode !== 0;
  process.exitCode = before;
  const summary = out.join('\n');
  if (failed || !summary.includes(`replay: ${exchanges} exchanges: ${exchanges} same,`)) throw new Error(`replay (CLI): not every exchange the same: ${summary.slice(0, 300)}`);
  return exchanges / s;
}

// --- the rows --------------------------------------------------------------------------------

export interface RowOptions {
  /** Interleaved rounds (each runs the floor and ours once). */
  rounds?: number;
  /** Exchanges in the generated trace. */
  exchanges?: number;
  /** Where the generated files go (default: a fresh temporary directory, removed afterwards). */
  dir?: string;
}

async function inTemp<T>(dir: string | undefined, f: (dir: string) => Promise<T>): Promise<T> {
  const d = dir ?? mkdtempSync(join(tmpdir(), 'cf-bench-trace-'));
  try {
    return await f(d);
  } finally {
    if (!dir) rmSync(d, { recursive: true, force: true });
  }
}

/** `trace replay` from a file (CLI) against the minimal script; APDU/s, medians of interleaved rounds. */
export function replayRow(opts: RowOptions = {}): Promise<TraceRowResult> {
  const rounds = opts.rounds ?? 5;
  const n = opts.exchanges ?? 200_000;
  return inTemp(opts.dir, async (dir) => {
    const trace = generateNativeTrace(dir, n);
    const image = join(dir, 'card.json');
    saveImageFile(image, loopback());
    // Warm-up of both paths (JIT) on the same file.
    replayFloorOnce(trace, image, n);
    await replayOursOnce(trace, image, n);
    const load = loadavg();
    const ours: number[] = [];
    const base: number[] = [];
    for (let r = 0; r < rounds; r++) {
      base.push(replayFloorOnce(trace, image, n));
      ours.push(await replayOursOnce(trace, image, n));
    }
    return summarise(ours, base, 'APDU/s', load, `median of ${rounds} interleaved rounds, ${n.toLocaleString('en')} exchanges (${(statSync(trace).size / 1e6).toFixed(0)} MB), after one warm-up round`);
  });
}

/** `trace convert` 1 M exchanges → pcapng against read + JSON.parse; seconds, medians of interleaved rounds. */
export function convertRow(opts: RowOptions = {}): Promise<TraceRowResult> {
  const rounds = opts.rounds ?? 3;
  const n = opts.exchanges ?? 1_000_000;
  return inTemp(opts.dir, async (dir) => {
    const trace = generateNativeTrace(dir, n);
    const out = join(dir, 'out.pcapng');
    const load = loadavg();
    const ours: number[] = [];
    const base: number[] = [];
    for (let r = 0; r < rounds; r++) {
      base.push(convertFloorOnce(trace));
      ours.push(convertOursOnce(trace, out, n));
    }
    return summarise(ours, base, 's', load, `median of ${rounds} interleaved rounds, ${n.toLocaleString('en')} exchanges (${(statSync(trace).size / 1e6).toFixed(0)} MB native → ${(statSync(out).size / 1e6).toFixed(0)} MB pcapng)`);
  });
}

const fmt = (r: TraceRowResult): string => {
  const v = (x: number): string => (r.unit === 's' ? `${x.toFixed(2)} s` : `${(x / 1000).toFixed(1)} k/s`);
  return `ours ${v(r.ours)} (${v(r.oursMin)}–${v(r.oursMax)}), floor ${v(r.baseline)} (${v(r.baselineMin)}–${v(r.baselineMax)}), ratio ${r.ratio.toFixed(2)}; load ${r.loadBefore.map((x) => x.toFixed(2)).join(' ')} → ${r.loadAfter.map((x) => x.toFixed(2)).join(' ')}; ${r.method}`;
};

// `tsx bench/trace-rows.ts [replay|convert] [rounds] [exchanges]`: the rows on their own.
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'))) {
  const which = process.argv[2] ?? 'both';
  const rounds = process.argv[3] ? Number(process.argv[3]) : undefined;
  const exchanges = process.argv[4] ? Number(process.argv[4]) : undefined;
  const o = { ...(rounds ? { rounds } : {}), ...(exchanges ? { exchanges } : {}) };
  void (async () => {
    if (which !== 'convert') console.log(`trace replay (CLI): ${fmt(await replayRow(o))}`);
    if (which !== 'replay') console.log(`trace convert → pcapng: ${fmt(await convertRow(o))}`);
  })().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
