/**
 * The in-process APDU path (issue 20): the trivial loopback command (FIXED16, `80 12 00 00 10`,
 * 16 bytes back) through Card.transmit, measured in paired, interleaved rounds with the median and
 * the min–max, and the load average. bench/runtime.ts and bench/runner.ts may call
 * benchTrivialApdu(); run this file directly to compare two runtimes in one process:
 *
 *   npx tsx bench/apdu-path.ts                         this tree only
 *   npx tsx bench/apdu-path.ts --baseline DIR          DIR holds another tree's card/ and
 *                                                      apdu-specs/ (e.g. `git archive` of an older
 *                                                      commit): both are measured, A B A B …
 *   npx tsx bench/apdu-path.ts --gc [--baseline DIR]   young-generation collections per million
 *                                                      APDUs (what the path allocates; load-proof)
 *   node --cpu-prof --import tsx bench/apdu-path.ts --only --seconds 5
 *                                                      one runtime, busy for a profile
 */
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { performance, PerformanceObserver, constants } from 'node:perf_hooks';
import { Card } from '../card/runtime/index.js';
import { LoopbackApplet } from '../card/applets/index.js';
import { LOOPBACK_AID } from '../apdu-specs/loopback.js';

/** The trivial command and the answer it must get. */
export const TRIVIAL_COMMAND = '8012000010';
export const TRIVIAL_RESPONSE = 'a0a1a2a3a4a5a6a7a8a9aaabacadaeaf9000';

/** What a runtime under test offers: a powered card with the loopback applet selected. */
export interface TrivialCard {
  transmit(command: Uint8Array): Uint8Array;
}

export interface ApduPathRate {
  /** Median of the rounds, APDU/s. */
  median: number;
  min: number;
  max: number;
  rounds: number;
}

export interface ApduPathResult {
  /** Per runtime (the key given), the rates over the paired rounds. */
  rates: Record<string, ApduPathRate>;
  /** B / A per round, then its median (when two runtimes were measured). */
  ratio?: { median: number; min: number; max: number };
  /** os.loadavg() before and after. */
  load: { before: readonly number[]; after: readonly number[] };
  method: string;
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

/** A loopback card of this tree, powered, the trivial command checked once. */
export function trivialCard(): TrivialCard {
  const card = new Card();
  card.install(LoopbackApplet, { aid: LOOPBACK_AID, default: true });
  card.powerOn();
  return checked(card, 'this tree');
}

function checked(card: TrivialCard, label: string): TrivialCard {
  const cmd = new Uint8Array(Buffer.from(TRIVIAL_COMMAND, 'hex'));
  const r = hex(card.transmit(cmd));
  if (r !== TRIVIAL_RESPONSE) throw new Error(`${label}: ${TRIVIAL_COMMAND} answered ${r}, expected ${TRIVIAL_RESPONSE}`);
  return card;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** APDU/s of one timed round of `ms` on `card`. */
function round(card: TrivialCard, cmd: Uint8Array, ms: number): number {
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    for (let i = 0; i < 2000; i++) card.transmit(cmd);
    n += 2000;
    t = performance.now();
  }
  return (n * 1000) / (t - t0);
}

/**
 * Measure the trivial APDU on each card in interleaved rounds (A B A B …, the order alternating
 * each round so neither always runs first), after a warm-up of each. The last response of every
 * round is checked: a wrong answer throws.
 */
export function benchTrivialApdu(cards: Record<string, TrivialCard> = { cardforge: trivialCard() }, opts: { rounds?: number; ms?: number } = {}): ApduPathResult {
  const rounds = opts.rounds ?? 9;
  const ms = opts.ms ?? 300;
  const names = Object.keys(cards);
  const cmd = new Uint8Array(Buffer.from(TRIVIAL_COMMAND, 'hex'));
  const before = loadavg();
  for (const name of names) round(cards[name]!, cmd, 200);
  const per: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      per[name]!.push(round(cards[name]!, cmd, ms));
      checked(cards[name]!, name);
    }
  }
  const rates: Record<string, ApduPathRate> = {};
  for (const name of names) {
    const xs = per[name]!;
    rates[name] = { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), rounds };
  }
  const result: ApduPathResult = { rates, load: { before, after: loadavg() }, method: `${rounds} interleaved rounds × ${ms} ms each, median (min–max), 200 ms warm-up each` };
  if (names.length === 2) {
    const ratios = per[names[1]!]!.map((b, i) => b / per[names[0]!]![i]!);
    result.ratio = { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
  }
  return result;
}

/**
 * Young-generation collections (scavenges) per million trivial APDUs on one card: proportional to
 * the bytes the path allocates per command, and not moved by the load of other processes.
 */
export async function scavengesPerMillion(card: TrivialCard, n = 2_000_000): Promise<number> {
  const cmd = new Uint8Array(Buffer.from(TRIVIAL_COMMAND, 'hex'));
  for (let i = 0; i < 100_000; i++) card.transmit(cmd);
  let count = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if ((e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) count++;
  });
  obs.observe({ entryTypes: ['gc'] });
  for (let i = 0; i < n; i++) card.transmit(cmd);
  // GC entries are delivered asynchronously.
  await new Promise((r) => setTimeout(r, 50));
  obs.disconnect();
  checked(card, 'after the scavenge count');
  return (count * 1_000_000) / n;
}

/** A loopback card built from another tree's card/ and apdu-specs/ (its own module instances). */
async function baselineCard(dir: string): Promise<TrivialCard> {
  const url = (p: string): string => pathToFileURL(resolve(dir, p)).href;
  const rt = (await import(url('card/runtime/index.ts'))) as typeof import('../card/runtime/index.js');
  const applets = (await import(url('card/applets/index.ts'))) as typeof import('../card/applets/index.js');
  const card = new rt.Card();
  card.install(applets.LoopbackApplet, { aid: LOOPBACK_AID, default: true });
  card.powerOn();
  return checked(card, `baseline ${dir}`);
}

async function main(argv: readonly string[]): Promise<void> {
  const at = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const baseline = at('--baseline');
  if (argv.includes('--gc')) {
    const cards: Record<string, TrivialCard> = baseline !== undefined ? { baseline: await baselineCard(baseline), 'this tree': trivialCard() } : { 'this tree': trivialCard() };
    for (const [name, card] of Object.entries(cards)) console.log(`${name.padEnd(10)} ${(await scavengesPerMillion(card)).toFixed(1)} scavenges per million trivial APDUs`);
    return;
  }
  if (argv.includes('--only')) {
    // One runtime busy for `--seconds` (a CPU profile of the path).
    const card = baseline !== undefined ? await baselineCard(baseline) : trivialCard();
    const seconds = Number(at('--seconds') ?? '5');
    const cmd = new Uint8Array(Buffer.from(TRIVIAL_COMMAND, 'hex'));
    const r = round(card, cmd, seconds * 1000);
    console.log(`${(r / 1e6).toFixed(2)} M APDU/s over ${seconds} s; load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    return;
  }
  const cards: Record<string, TrivialCard> = baseline !== undefined ? { baseline: await baselineCard(baseline), 'this tree': trivialCard() } : { 'this tree': trivialCard() };
  const res = benchTrivialApdu(cards, { rounds: Number(at('--rounds') ?? '9') });
  for (const [name, r] of Object.entries(res.rates)) {
    console.log(`${name.padEnd(10)} ${(r.median / 1e6).toFixed(2)} M APDU/s (${(r.min / 1e6).toFixed(2)}–${(r.max / 1e6).toFixed(2)})`);
  }
  if (res.ratio) console.log(`ratio this tree / baseline: ${res.ratio.median.toFixed(2)}× (${res.ratio.min.toFixed(2)}–${res.ratio.max.toFixed(2)}) per paired round`);
  console.log(`${res.method}; load average ${res.load.before.map((x) => x.toFixed(2)).join(' ')} → ${res.load.after.map((x) => x.toFixed(2)).join(' ')}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
