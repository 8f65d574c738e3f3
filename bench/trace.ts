/**
 * Trace benchmarks (issue 7): replay throughput in process (a recorded FIXED16 session replayed
 * against the emulator, every response compared; floor 200,000 APDU/s) and conversion throughput
 * (a 1,000,000-exchange native trace converted to GSMTAP pcapng through the streaming reader and
 * writer; must finish in under 20 s).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Card, buildAtr, hexToBytes } from '../card/runtime/index.js';
import { LoopbackApplet } from '../card/applets/index.js';
import { LOOPBACK_AID } from '../apdu-specs/loopback.js';
import { EmulatorTransport } from '../host/transport/index.js';
import type { TraceEvent } from '../host/trace/events.js';
import { convertFile, writeTraceFile } from '../host/trace/formats/index.js';
import { replay } from '../host/trace/replay.js';
import type { BenchRow } from './measure.js';

const FIXED16 = hexToBytes('8012000010');
const FIXED16_RSP = hexToBytes('a0a1a2a3a4a5a6a7a8a9aaabacadaeaf9000');

function* session(n: number): Generator<TraceEvent> {
  yield { kind: 'power-on' };
  for (let i = 0; i < n; i++) {
    yield { kind: 'command', apdu: FIXED16, t: i * 50 };
    yield { kind: 'response', data: FIXED16_RSP, t: i * 50 + 20, us: 20 };
  }
}

async function replayRate(n: number): Promise<number> {
  const card = new Card({ atr: buildAtr([1], new TextEncoder().encode('cardforge')) });
  card.install(LoopbackApplet, { aid: LOOPBACK_AID, default: true });
  const t = new EmulatorTransport(card);
  const events = [...session(n)];
  await replay({ header: { tool: 'bench' }, events: events.slice(0, 2001) }, t); // warm-up
  let best = 0;
  for (let round = 0; round < 3; round++) {
    const t0 = performance.now();
    const r = await replay({ header: { tool: 'bench' }, events }, t);
    const s = (performance.now() - t0) / 1000;
    if (!r.ok || r.same !== n) throw new Error('replay bench: responses differ from the recording');
    best = Math.max(best, n / s);
  }
  await t.close();
  return best;
}

export async function benchTrace(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  rows.push({ name: 'trace replay in process (FIXED16, compared)', value: await replayRate(200_000), unit: 'APDU/s', method: 'best of 3 replays of 200,000 exchanges (2,000-exchange warm-up)', floor: 200_000 });
  const dir = mkdtempSync(join(tmpdir(), 'cf-bench-trace-'));
  try {
    const n = 1_000_000;
    const input = join(dir, 'big.jsonl');
    writeTraceFile({ header: { tool: 'bench' }, events: session(n) }, 'native', input);
    const output = join(dir, 'big.pcapng');
    const t0 = performance.now();
    const r = convertFile(input, output);
    const s = (performance.now() - t0) / 1000;
    const lines = r.events + 1;
    rows.push({ name: `trace convert native → pcapng (${(statSync(input).size / 1e6).toFixed(0)} MB, ${n.toLocaleString('en')} exchanges)`, value: lines / s, unit: 'lines/s', method: 'one conversion, wall time' });
    rows.push({ name: `trace convert: ${n.toLocaleString('en')}-exchange trace`, value: s, unit: 's', method: 'one conversion, wall time', peer: 'issue 7: under 20 s', verdict: s < 20 ? 'meets floor (under 20 s)' : 'ABOVE 20 s' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'))) {
  void benchTrace().then((rows) => {
    for (const r of rows) console.log(`${r.name}: ${r.value.toFixed(r.unit === 's' ? 2 : 0)} ${r.unit}${r.floor ? ` (floor ${r.floor})` : ''}${r.verdict ? ` — ${r.verdict}` : ''}`);
  });
}
