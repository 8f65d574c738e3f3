/**
 * The issue-20 table: nine paired rows, each ours beside a reference measured in the same run
 * (interleaved rounds: bench/runner.ts runPairedRow), with the goal the issue sets for the ratio.
 * Each side of a row is one small function (`*Side` below, or a closure in the row) so a faster
 * measurement — bench/apdu-path.ts, bench/crypto-rows.ts, bench/trace-rows.ts — swaps in with
 * one line. jCardSim is the reference of the three runtime rows when JCARDSIM_JAR and a JDK are
 * there (bench/peers); otherwise the issue's figures are shown "quoted, not measured here".
 */
import { generateKeyPairSync, type KeyObject, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Card, bytesToHex, hexToBytes, SeededRng, buildAtr } from '../card/runtime/index.js';
import { LoopbackApplet } from '../card/applets/index.js';
import { LOOPBACK_AID } from '../apdu-specs/loopback.js';
import { aes128EncryptInto, aes128ExpandKey } from '../card/algorithms/index.js';
import { sha256 } from '../card/algorithms/sha256.js';
import { installSim, USIM_AID } from '../card/applets/sim/index.js';
import { EmulatorTransport, type PcscTransport, type VpcdCard, type VpcdEndpoint } from '../host/transport/index.js';
import type { TraceEvent } from '../host/trace/events.js';
import { closeTrace, convertFile, readTraceFile, writeTraceFile } from '../host/trace/formats/index.js';
import { replay } from '../host/trace/replay.js';
import { rateFor, rateForAsync, secondsOf, type PairedRow, type QuotedReference, type RunOptions } from './measure.js';
import { Write16Applet } from './runtime.js';
import { ecdsaSigningCard } from './payment.js';
import { authenticateApdus } from './sim.js';
import { debitBench } from './ledger.js';
import { serve } from './transport.js';
import { optionalPcscStack } from './pcsc.js';
import { startJCardSim, type JCardSimPeer, type PeerWorkload } from './peers/jcardsim.js';

const FIXED16 = hexToBytes('8012000010');
const FIXED16_RSP = 'a0a1a2a3a4a5a6a7a8a9aaabacadaeaf9000';
const SHA_CMD = hexToBytes('8014000040' + '5a'.repeat(64) + '20');
const WRITE16 = hexToBytes('8016000010' + '0102030405060708090a0b0c0d0e0f10');

function answer(c: Card, cmd: Uint8Array, want: string): void {
  const r = bytesToHex(c.transmit(cmd));
  if (r !== want) throw new Error(`command ${bytesToHex(cmd)} answered ${r}, expected ${want}`);
}

// --- the three runtime rows: ours in process, jCardSim (same workloads, bench/peers) -------------

function loopbackCard(): Card {
  const card = new Card();
  card.install(LoopbackApplet, { aid: LOOPBACK_AID, default: true });
  card.powerOn();
  return card;
}

function write16Card(): Card {
  const card = new Card();
  card.install(Write16Applet, { aid: 'f0636172646667ff0001', default: true });
  card.powerOn();
  return card;
}

/** Quoted jCardSim figures (issue 20's table; the runtime issue for the absolute figures). */
const JCARDSIM_QUOTED: Record<PeerWorkload, QuotedReference> = {
  trivial: { source: 'runtime issue, Java 17', low: 4.3e6, high: 4.7e6 },
  sha256: { source: 'runtime issue, Java 17', low: 0.8e6, high: 0.87e6 },
  write16: { source: 'issue 20 quotes only the ratio', ratioText: 'ours 0.84–1.03× of it' },
};

/** One jCardSim harness for the three rows, started on first use; closed by closeTableResources. */
let jcardsim: Promise<{ peer?: JCardSimPeer; reason?: string; error?: Error }> | undefined;
function jcardsimPeer(): Promise<{ peer?: JCardSimPeer; reason?: string; error?: Error }> {
  // A harness asked for (JCARDSIM_JAR set) that does not compile, start or check its answers fails
  // the three runtime rows (in their check), not the whole table.
  jcardsim ??= startJCardSim().then(
    (r) => (r.measured ? { peer: r.peer } : { reason: r.reason }),
    (e: unknown) => ({ error: e instanceof Error ? e : new Error(String(e)) }),
  );
  return jcardsim;
}

/** Stop what the table started (the jCardSim harness); bench/index.ts calls it at the end. */
export async function closeTableResources(): Promise<void> {
  const j = jcardsim;
  jcardsim = undefined;
  if (j) (await j.catch(() => ({ peer: undefined }))).peer?.close();
}

async function runtimeRow(o: RunOptions, w: PeerWorkload, name: string, goal: number, ours: () => void, check: () => void, oursNote: string): Promise<PairedRow> {
  const j = await jcardsimPeer();
  const row: PairedRow = {
    name,
    unit: 'APDU/s',
    goal: { ratio: goal, direction: '>=' },
    referenceLabel: j.peer ? 'jCardSim 3.0.5, same workload (bench/peers), measured in this run' : `jCardSim 3.0.5, not measured here: ${j.reason ?? ''}`,
    method: `ours: Card.transmit in batches of 1,000 for ${o.roundMs} ms${oursNote}; jCardSim: Simulator.transmitCommand, the same round length, in its own JVM kept running`,
    ours: () => rateFor(ours, o.roundMs),
    check,
  };
  if (j.error) {
    const error = j.error;
    row.referenceLabel = 'jCardSim 3.0.5, same workload (bench/peers): the harness failed';
    row.reference = () => {
      throw error;
    };
    row.check = () => {
      check();
      throw error;
    };
  } else if (j.peer) row.reference = () => j.peer!.round(w, o.roundMs);
  else row.quoted = JCARDSIM_QUOTED[w];
  return row;
}

async function trivialRow(o: RunOptions): Promise<PairedRow> {
  const card = loopbackCard();
  return runtimeRow(o, 'trivial', 'trivial APDU in process (16 bytes back)', 2.5, () => card.transmit(FIXED16), () => answer(card, FIXED16, FIXED16_RSP), '');
}

async function sha256Row(o: RunOptions): Promise<PairedRow> {
  const card = loopbackCard();
  const want = `${bytesToHex(sha256(new Uint8Array(64).fill(0x5a)))}9000`;
  return runtimeRow(o, 'sha256', 'SHA-256 of 64 B per APDU', 1.2, () => card.transmit(SHA_CMD), () => answer(card, SHA_CMD, want), '');
}

async function write16Row(o: RunOptions): Promise<PairedRow> {
  const card = write16Card();
  const check = (): void => {
    answer(card, WRITE16, '9000');
    const stored = bytesToHex(card.memory.cells.get('f0636172646667ff0001/store')!);
    if (stored !== '0102030405060708090a0b0c0d0e0f10') throw new Error(`WRITE16 stored ${stored}`);
  };
  return runtimeRow(o, 'write16', '16-byte write in a transaction', 1.2, () => card.transmit(WRITE16), check, ' (cardforge journals the before-image, jCardSim does not)');
}

// --- USIM AUTHENTICATE vs cardforge's own AES ÷ 6 blocks ----------------------------------------

const KI = '465b5ce8b199b49faa5f0a2ee238a6bc';
const OPC = 'cd63cb71954a9f4e48a5994e37a02baf';

/** AUTHENTICATE/s: a USIM answering pre-built challenges with increasing SQN (rewound when used up). */
export function authenticateSide(vectors: number): { round(ms: number): number; check(): void } {
  const u = new Card({ rng: new SeededRng(new Uint8Array(32)) });
  installSim(u, {}, {
    iccid: '8949000000000000001', imsi: '001010123456789', ki: KI, opc: OPC, algorithm: 'milenage', gsmAlgorithm: 'gsm-milenage',
    pins: { pin1: '1234', puk1: '12345678', pin2: '5678', puk2: '87654321', adm1: '88888888', pin1Enabled: true },
  });
  u.powerOn();
  answer(u, hexToBytes(`00a4040c10${USIM_AID}`), '9000');
  answer(u, hexToBytes('002000010831323334ffffffff'), '9000');
  const batch = authenticateApdus(vectors);
  const start = u.snapshot();
  let i = 0;
  let bad = 0;
  const one = (): void => {
    if (i === vectors) {
      u.restore(start);
      i = 0;
    }
    const r = u.transmit(batch[i++]!);
    if (r[0] !== 0xdb) bad++;
  };
  return {
    round(ms) {
      const rate = rateFor(one, ms, 256);
      if (bad) throw new Error(`${bad} AUTHENTICATE answers were not DB (successful 3G context)`);
      return rate;
    },
    check() {
      u.restore(start);
      i = 0;
      one();
      if (bad) throw new Error('AUTHENTICATE did not answer DB (successful 3G context)');
    },
  };
}

/** Blocks/s of cardforge's own AES-128 (card/algorithms/aes128.ts), ÷ 6: MILENAGE's six blocks. */
export function aesSixthSide(ms: number): number {
  const key = aes128ExpandKey(hexToBytes(KI));
  const block = new Uint8Array(16);
  return rateFor(() => aes128EncryptInto(key, block, 0, block, 0), ms) / 6;
}

function authenticateRow(o: RunOptions): PairedRow {
  let side: ReturnType<typeof authenticateSide>;
  const vectors = o.quick ? 10_000 : 100_000;
  return {
    name: 'USIM AUTHENTICATE (Milenage, 3G context)',
    unit: 'ops/s',
    goal: { ratio: 0.4, direction: '>=' },
    referenceLabel: "cardforge's own AES-128 blocks/s ÷ 6, measured in this run",
    method: `ours: AUTHENTICATE APDUs (fresh SQN each, ${vectors.toLocaleString('en')} pre-built, card rewound when used up) for ${o.roundMs} ms; reference: aes128EncryptInto on one block for ${o.roundMs} ms, ÷ 6`,
    setup: () => void (side = authenticateSide(vectors)),
    check: () => side.check(),
    ours: () => side.round(o.roundMs),
    reference: () => aesSixthSide(o.roundMs),
  };
}

// --- P-256: SIGN TRANSACTION vs node:crypto sign; DEBIT vs node:crypto sign + verify -------------

const nodeKeys = (() => {
  let k: { privateKey: KeyObject; publicKey: KeyObject } | undefined;
  return () => (k ??= generateKeyPairSync('ec', { namedCurve: 'prime256v1' }));
})();
const SIGNED = new Uint8Array(96).fill(0x42); // about the size of a signed transaction record

/** node:crypto P-256 (ECDSA over SHA-256) signatures/s. */
export function nodeSignSide(ms: number): number {
  const { privateKey } = nodeKeys();
  return rateFor(() => nodeSign('sha256', SIGNED, { key: privateKey, dsaEncoding: 'ieee-p1363' }), ms, 20);
}

/** node:crypto P-256 sign + verify pairs/s. */
export function nodeSignVerifySide(ms: number): number {
  const { privateKey, publicKey } = nodeKeys();
  return rateFor(() => {
    const sig = nodeSign('sha256', SIGNED, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    if (!nodeVerify('sha256', SIGNED, { key: publicKey, dsaEncoding: 'ieee-p1363' }, sig)) throw new Error('node:crypto P-256 verify failed');
  }, ms, 20);
}

function signRow(o: RunOptions): PairedRow {
  let card: Awaited<ReturnType<typeof ecdsaSigningCard>>;
  return {
    name: 'SIGN TRANSACTION (P-256)',
    unit: 'ops/s',
    goal: { ratio: 0.5, direction: '>=' },
    referenceLabel: 'node:crypto P-256 sign (SHA-256, 96 bytes), measured in this run',
    method: `ours: VERIFY (payment code) + SIGN TRANSACTION APDUs, batches of 20, for ${o.roundMs} ms; reference: crypto.sign for ${o.roundMs} ms`,
    setup: async () => void (card = await ecdsaSigningCard()),
    check: () => card.signOnce(),
    ours: () => rateFor(() => card.signOnce(), o.roundMs, 20),
    reference: () => nodeSignSide(o.roundMs),
  };
}

function debitRow(o: RunOptions): PairedRow {
  let side: ReturnType<typeof debitBench>;
  const ms = Math.max(o.roundMs, 100);
  return {
    name: 'ledger DEBIT, new offer (verify + sign + commit)',
    unit: 'ops/s',
    goal: { ratio: 0.5, direction: '>=' },
    referenceLabel: 'node:crypto P-256 sign + verify, measured in this run',
    method: `ours: GET CHALLENGE + DEBIT APDUs for ${ms} ms of card time (offers signed and log settled outside the timing); reference: crypto.sign + crypto.verify pairs for ${ms} ms`,
    setup: () => void (side = debitBench()),
    check: () => void side.round(1),
    ours: () => side.round(ms),
    reference: () => nodeSignVerifySide(ms),
  };
}

// --- trace tools: replay from a file vs a minimal script; convert vs read + JSON.parse -------------

function* fixed16Session(n: number): Generator<TraceEvent> {
  yield { kind: 'power-on' };
  const rsp = hexToBytes(FIXED16_RSP);
  for (let i = 0; i < n; i++) {
    yield { kind: 'command', apdu: FIXED16, t: i * 50 };
    yield { kind: 'response', data: rsp, t: i * 50 + 20, us: 20 };
  }
}

function traceCard(): Card {
  const card = new Card({ atr: buildAtr([1], new TextEncoder().encode('cardforge')) });
  card.install(LoopbackApplet, { aid: LOOPBACK_AID, default: true });
  return card;
}

/** Exchanges/s of what `cardforge trace replay FILE` does in process: read the file (format guessed), replay it, compare every response. */
export async function replaySide(file: string, n: number): Promise<number> {
  const t = new EmulatorTransport(traceCard());
  const s = await secondsOf(async () => {
    const trace = readTraceFile(file);
    try {
      const r = await replay(trace, t);
      if (!r.ok || r.same !== n) throw new Error(`replay: ${r.same} of ${n} responses as recorded`);
    } finally {
      closeTrace(trace);
    }
  });
  await t.close();
  return n / s;
}

/** The floor: a minimal script reading the same file, JSON.parse per line, Card.transmit, compare. */
export function replayFloorSide(file: string, n: number): number {
  const card = traceCard();
  card.powerOn();
  const s0 = performance.now();
  let same = 0;
  let last: Uint8Array | undefined;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const e = JSON.parse(line) as { e: string; apdu?: string; data?: string };
    if (e.e === 'command') last = card.transmit(hexToBytes(e.apdu!));
    else if (e.e === 'response' && last && bytesToHex(last) === e.data) same++;
  }
  if (same !== n) throw new Error(`replay floor: ${same} of ${n} responses as recorded`);
  return n / ((performance.now() - s0) / 1000);
}

function tempTrace(n: number): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cf-bench-table-'));
  const file = join(dir, 'trace.jsonl');
  writeTraceFile({ header: { tool: 'bench' }, events: fixed16Session(n) }, 'native', file);
  return { dir, file };
}

function replayRow(o: RunOptions): PairedRow {
  const n = o.quick ? 5_000 : 200_000;
  let tmp: { dir: string; file: string } | undefined;
  return {
    name: '`trace replay` from a file',
    unit: 'APDU/s',
    goal: { ratio: 0.8, direction: '>=' },
    referenceLabel: 'read + JSON.parse + Card.transmit + compare, minimal script, measured in this run',
    method: `a native trace of ${n.toLocaleString('en')} FIXED16 exchanges; ours: readTraceFile + replay (EmulatorTransport, every response compared), as the CLI's trace replay does in process; reference: readFileSync, split, JSON.parse, hexToBytes, Card.transmit, compare`,
    setup: () => void (tmp = tempTrace(n)),
    check: async () => void (await replaySide(tmp!.file, n), replayFloorSide(tmp!.file, n)),
    ours: () => replaySide(tmp!.file, n),
    reference: () => replayFloorSide(tmp!.file, n),
    teardown: () => tmp && rmSync(tmp.dir, { recursive: true, force: true }),
  };
}

/** Seconds of `trace convert` native → pcapng (convertFile, as the CLI calls it). */
export function convertSide(input: string, output: string, n: number): number {
  const t0 = performance.now();
  const r = convertFile(input, output);
  const s = (performance.now() - t0) / 1000;
  if (r.commands !== n || r.responses !== n || statSync(output).size < n * 2 * 16) throw new Error(`convert wrote ${r.commands} commands, ${r.responses} responses, ${statSync(output).size} bytes for ${n} exchanges`);
  return s;
}

/** Seconds of the floor: read the file and JSON.parse every line, nothing else. */
export function parseFloorSide(input: string, n: number): number {
  const t0 = performance.now();
  let lines = 0;
  for (const line of readFileSync(input, 'utf8').split('\n')) {
    if (!line) continue;
    JSON.parse(line);
    lines++;
  }
  if (lines !== 2 * n + 2) throw new Error(`parse floor: ${lines} lines for ${n} exchanges`);
  return (performance.now() - t0) / 1000;
}

function convertRow(o: RunOptions): PairedRow {
  const n = o.quick ? 5_000 : 1_000_000;
  let tmp: { dir: string; file: string } | undefined;
  return {
    name: `\`trace convert\` ${o.quick ? '5 k' : '1 M'} exchanges → pcapng`,
    unit: 's',
    goal: { ratio: 2, direction: '<=' },
    referenceLabel: 'read + JSON.parse only, measured in this run',
    method: `a native trace of ${n.toLocaleString('en')} FIXED16 exchanges; ours: convertFile to GSMTAP pcapng, wall time, event counts and output size checked every round; reference: readFileSync, split, JSON.parse every line, wall time`,
    rounds: 3,
    warmUp: false, // seconds per round; every round checks what it wrote (convertSide)
    setup: () => void (tmp = tempTrace(n)),
    ours: () => convertSide(tmp!.file, join(tmp!.dir, 'out.pcapng'), n),
    reference: () => parseFloorSide(tmp!.file, n),
    teardown: () => tmp && rmSync(tmp.dir, { recursive: true, force: true }),
  };
}

// --- PC/SC: SELECT + READ BINARY through pcscd + vpcd vs a do-nothing card on the same pcscd -------

const SELECT_ICCID = hexToBytes('00a4000c022fe2');
const READ_ICCID = hexToBytes('00b000000a');
const ICCID = '989400000000000000f1';

function simCard(): Card {
  const c = new Card({ rng: new SeededRng(new Uint8Array(32)) });
  installSim(c, {}, {
    iccid: '8949000000000000001', imsi: '001010123456789', ki: KI, opc: OPC, algorithm: 'milenage', gsmAlgorithm: 'gsm-milenage',
    pins: { pin1: '1234', puk1: '12345678', pin2: '5678', puk2: '87654321', adm1: '88888888', pin1Enabled: true },
  });
  return c;
}

/** SELECT EF_ICCID + READ BINARY pairs through a PC/SC transport; APDU/s (2 per pair). */
export async function selectReadSide(t: PcscTransport, ms: number, expectIccid: boolean): Promise<number> {
  let bad = 0;
  const rate = await rateForAsync(async () => {
    await t.transmit(SELECT_ICCID);
    const r = await t.transmit(READ_ICCID);
    if (expectIccid ? bytesToHex(r) !== `${ICCID}9000` : bytesToHex(r) !== '9000') bad++;
  }, ms, 25);
  if (bad) throw new Error(`${bad} READ BINARY answers were wrong`);
  return rate * 2;
}

/**
 * One vpcd slot serving the emulated SIM or a do-nothing card (9000 to everything, no work), as
 * `mode` says: both sides go through the same reader, connection and pcscd slot. (Measured with
 * a card per slot, the second slot ran 10–50% slower than the first whatever the card, which
 * made the "floor" slower than the emulator.)
 */
function switchableCard(sim: Card): { card: VpcdCard; mode: { doNothing: boolean } } {
  const mode = { doNothing: false };
  const ok = Uint8Array.of(0x90, 0x00);
  return {
    mode,
    card: {
      get atr() {
        return sim.atr;
      },
      powerOn: () => sim.powerOn(),
      powerOff: () => sim.powerOff(),
      reset: () => sim.reset(),
      transmit: (cmd: Uint8Array) => (mode.doNothing ? ok : sim.transmit(cmd)),
    },
  };
}

function pcscRow(o: RunOptions): PairedRow {
  let served: { ep: VpcdEndpoint; t: PcscTransport } | undefined;
  let mode = { doNothing: false };
  const ms = Math.max(o.roundMs, 100);
  const side = async (doNothing: boolean, roundMs: number): Promise<number> => {
    mode.doNothing = doNothing;
    return selectReadSide(served!.t, roundMs, !doNothing);
  };
  return {
    name: 'SELECT + READ BINARY through pcscd + vpcd',
    unit: 'APDU/s',
    goal: { ratio: 0.95, direction: '>=' },
    referenceLabel: 'do-nothing vpcd card (answers 9000) on the same pcscd and slot, measured in this run',
    method: `the run's private pcscd (TCP_NODELAY shim), one vpcd slot whose card is switched between the emulated SIM and a do-nothing card; SELECT EF_ICCID + READ BINARY pairs through PcscTransport for ${ms} ms per round`,
    setup: async () => {
      const stack = await optionalPcscStack(); // NotMeasured when pcscd or vpcd is absent
      const sw = switchableCard(simCard());
      mode = sw.mode;
      served = await serve(stack, sw.card, 0);
    },
    check: async () => void (await side(false, 1), await side(true, 1)),
    ours: () => side(false, ms),
    reference: () => side(true, ms),
    teardown: async () => {
      const s = served;
      served = undefined;
      if (s) {
        await s.t.close();
        await s.ep.stop();
      }
    },
  };
}

/** The nine rows of issue 20's table, in its order. */
export async function issue20Rows(o: RunOptions): Promise<PairedRow[]> {
  return [
    await trivialRow(o),
    await sha256Row(o),
    await write16Row(o),
    authenticateRow(o),
    signRow(o),
    debitRow(o),
    replayRow(o),
    convertRow(o),
    pcscRow(o),
  ];
}
