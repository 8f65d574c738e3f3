/**
 * Soak benchmark: N mixed APDUs (default 1,000,000; CARDFORGE_SOAK_APDUS overrides) through the
 * real stack — PcscTransport → libpcsclite → private pcscd → vpcd → VpcdEndpoint → Card — with the
 * image autosaved like `cardforge emulate` does. The mix: FIXED16, ECHO (0..64 bytes), SHA-256,
 * READ_STATE, GET CHALLENGE, an unknown INS (6D00), and every 64th command a state-changing TX3
 * (image saved). Every answer is checked. Reports throughput per window (default 100,000),
 * errors, and the process RSS (emulator and client share it) at start and end.
 * `npm run bench -- soak`; a 20,000-APDU version runs in CI (test/hardening/soak.test.ts), which
 * checks answers and memory only: throughput is timing, and timing is judged here, not in tests
 * (`CARDFORGE_SOAK_APDUS=20000 npm run bench -- soak` compares with the baseline).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOOPBACK_AID } from '../apdu-specs/loopback.js';
import { LoopbackApplet } from '../card/applets/index.js';
import { Card, bytesToHex } from '../card/runtime/index.js';
import { sha256 } from '../card/algorithms/sha256.js';
import { ImageAutosave, saveImageFile } from '../host/store/index.js';
import { PcscTransport, VpcdEndpoint } from '../host/transport/index.js';
import type { PcscStack } from '../scripts/pcsc/stack.js';
import { optionalPcscStack } from './pcsc.js';
import { formatRate, type BenchRow } from './measure.js';

export interface SoakWindow {
  readonly apdus: number;
  readonly apdusPerSecond: number;
  readonly rssMb: number;
}

export interface SoakReport {
  readonly apdus: number;
  readonly errors: number;
  readonly firstError?: string;
  readonly seconds: number;
  readonly rssStartMb: number;
  readonly rssEndMb: number;
  readonly heapStartMb: number;
  readonly heapEndMb: number;
  readonly windows: readonly SoakWindow[];
  readonly imageSaves: number;
}

const FIXED = 'a0a1a2a3a4a5a6a7a8a9aaabacadaeaf';
const mb = (n: number): number => Math.round((n / 1048576) * 10) / 10;

/** Command i of the mix and a check of its answer (returns an error text, or undefined). */
function mixed(i: number, tx: number): { cmd: Uint8Array; check: (r: Uint8Array) => string | undefined } {
  const hex = (r: Uint8Array): string => bytesToHex(r);
  const expect = (want: string) => (r: Uint8Array) => (hex(r) === want ? undefined : `want ${want}, got ${hex(r)}`);
  if (i % 64 === 63) {
    const v = Uint8Array.of(tx & 0xff, (tx >> 8) & 0xff, 0x5a);
    return { cmd: Uint8Array.of(0x80, 0x16, 0, 0, 3, ...v), check: expect('9000') };
  }
  const n = i % 65;
  const data = Uint8Array.from({ length: n }, (_, k) => (i + k) & 0xff);
  switch (i % 6) {
    case 0:
      return { cmd: Uint8Array.of(0x80, 0x12, 0, 0, 0x10), check: expect(`${FIXED}9000`) };
    case 1:
      return n === 0
        ? { cmd: Uint8Array.of(0x80, 0x10, 0, 0), check: expect('9000') }
        : { cmd: Uint8Array.of(0x80, 0x10, 0, 0, n, ...data, 0), check: expect(`${hex(data)}9000`) };
    case 2:
      return { cmd: Uint8Array.of(0x80, 0x14, 0, 0, Math.max(1, n), ...(n ? data : [0]), 0x20), check: expect(`${hex(sha256(n ? data : Uint8Array.of(0)))}9000`) };
    case 3:
      return { cmd: Uint8Array.of(0x80, 0x18, 0, 0, 3), check: (r) => (r.length === 5 && r[3] === 0x90 && r[4] === 0 ? undefined : `READ_STATE got ${hex(r)}`) };
    case 4:
      return { cmd: Uint8Array.of(0x00, 0x84, 0, 0, 8), check: (r) => (r.length === 10 && r[8] === 0x90 ? undefined : `GET CHALLENGE got ${hex(r)}`) };
    default:
      return { cmd: Uint8Array.of(0x80, 0x7f, 0, 0), check: expect('6d00') };
  }
}

export async function runSoak(opts: { apdus: number; window?: number; stack?: PcscStack; slot?: number; log?: (line: string) => void }): Promise<SoakReport> {
  const own = opts.stack === undefined;
  const stack = opts.stack ?? (await optionalPcscStack());
  if (own) process.env['PCSCLITE_CSOCK_NAME'] = stack.socket;
  const slot = opts.slot ?? 0;
  const dir = mkdtempSync(join(tmpdir(), 'cf-soak-'));
  const card = new Card();
  card.install(LoopbackApplet, { aid: LOOPBACK_AID, default: true });
  const file = join(dir, 'card.json');
  saveImageFile(file, card);
  const autosave = new ImageAutosave(file, card);
  let saves = 0;
  const ep = new VpcdEndpoint(card, { port: stack.port + slot, autosave: { afterCommand: () => (autosave.afterCommand() ? (saves++, true) : false) } as ImageAutosave });
  const t = new PcscTransport({ reader: stack.readerName(slot), waitMs: 10_000 });
  const windowSize = opts.window ?? 100_000;
  const windows: SoakWindow[] = [];
  let errors = 0;
  let firstError: string | undefined;
  try {
    await ep.start();
    await t.connect();
    for (let i = 0; i < 500; i++) await t.transmit(mixed(i, 0).cmd); // warm-up (JIT, buffers)
    const rss0 = process.memoryUsage();
    const t0 = performance.now();
    let tw = t0;
    let tx = 0;
    for (let i = 0; i < opts.apdus; i++) {
      const m = mixed(i, tx);
      if (i % 64 === 63) tx++;
      let problem: string | undefined;
      try {
        problem = m.check(await t.transmit(m.cmd));
      } catch (e) {
        problem = (e as Error).message;
      }
      if (problem) {
        errors++;
        firstError ??= `APDU #${i} ${bytesToHex(m.cmd)}: ${problem}`;
      }
      if ((i + 1) % windowSize === 0 || i + 1 === opts.apdus) {
        const now = performance.now();
        const n = (i + 1) % windowSize === 0 ? windowSize : (i + 1) % windowSize;
        windows.push({ apdus: i + 1, apdusPerSecond: (n * 1000) / (now - tw), rssMb: mb(process.memoryUsage().rss) });
        opts.log?.(`soak: ${i + 1} APDUs, ${Math.round((n * 1000) / (now - tw))} APDU/s in this window, RSS ${mb(process.memoryUsage().rss)} MB, errors ${errors}`);
        tw = now;
      }
    }
    const end = process.memoryUsage();
    return {
      apdus: opts.apdus, errors, ...(firstError ? { firstError } : {}), seconds: (performance.now() - t0) / 1000,
      rssStartMb: mb(rss0.rss), rssEndMb: mb(end.rss), heapStartMb: mb(rss0.heapUsed), heapEndMb: mb(end.heapUsed), windows, imageSaves: saves,
    };
  } finally {
    await t.close();
    await ep.stop();
    if (own) await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Throughput of the 20,000-APDU soak that test/hardening/soak.test.ts used to assert, as issue 14
 * reports it (3,326 APDU/s; 2,723 in the run under load that failed the test): the figure lives
 * here now, beside this run's, and the test keeps only the correctness checks.
 */
const BASELINE = { apdusPerSecond: 3_326, apdus: 20_000 } as const;
/** "Steady": the slowest window keeps at least this share of the fastest (the former test's bound). */
const STEADY_RATIO = 1 / 3;

export async function benchSoak(): Promise<BenchRow[]> {
  const apdus = Number(process.env['CARDFORGE_SOAK_APDUS'] ?? 1_000_000);
  // At least four windows, so the steadiness row compares something (20,000 APDUs: 5,000 each).
  const window = Math.min(100_000, Math.max(1_000, Math.floor(apdus / 4)));
  const r = await runSoak({ apdus, window, log: (l) => process.stderr.write(`${l}\n`) });
  const rates = r.windows.map((w) => w.apdusPerSecond);
  const k = (v: number): string => `${(v / 1000).toFixed(1)} k`;
  const steadiness = Math.min(...rates) / Math.max(...rates);
  return [
    {
      name: `soak: ${apdus.toLocaleString('en')} mixed APDUs via pcscd+vpcd (autosaved image)`, value: apdus / r.seconds, unit: 'APDU/s', method: 'one run, every answer checked (500-APDU warm-up)',
      peer: `baseline ${formatRate(BASELINE.apdusPerSecond, 'APDU/s')} (${BASELINE.apdus.toLocaleString('en')} APDUs); ${r.seconds.toFixed(0)} s, ${r.imageSaves} image saves`,
      verdict: 'no error',
      ...(r.errors === 0 ? {} : { failed: `${r.errors} wrong answers; first: ${r.firstError}` }),
    },
    {
      name: `soak: slowest / fastest window (${rates.length} windows of ${window.toLocaleString('en')})`, value: steadiness * 100, unit: '%', method: `the same run, per window of ${window.toLocaleString('en')} APDUs`,
      peer: `per-window ${k(Math.min(...rates))}–${k(Math.max(...rates))} APDU/s`,
      verdict: steadiness >= STEADY_RATIO ? `steady (≥ ${(STEADY_RATIO * 100).toFixed(0)}%)` : 'UNSTEADY: throughput collapsed in a window',
    },
    {
      name: 'soak: process RSS at start → end', value: r.rssEndMb, unit: 'MB', method: 'process.memoryUsage() after warm-up and at the end of the run',
      note: `start ${r.rssStartMb} MB → end ${r.rssEndMb} MB (heap ${r.heapStartMb} → ${r.heapEndMb} MB)`, verdict: 'flat (< 64 MB growth)',
      ...(r.rssEndMb - r.rssStartMb < 64 ? {} : { failed: `RSS grew by ${(r.rssEndMb - r.rssStartMb).toFixed(0)} MB (limit 64 MB)` }),
    },
  ];
}
