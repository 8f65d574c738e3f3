/**
 * In-process runtime throughput (issue: card runtime foundation): a trivial command returning
 * 16 bytes, SHA-256 of 64 bytes of data, a 16-byte write inside a transaction, and a command
 * committing a 3-write transaction. Peer: jCardSim 3.0.5 running the same workloads in the same
 * run (bench/peers, when JCARDSIM_JAR and a JDK are there); otherwise the figures quoted in the
 * issue, labelled "quoted, not measured here".
 */
import { Applet, Card, CommandTable, bytesToHex, hexToBytes, type AppletContext, type AppletParams, type PBytes } from '../card/runtime/index.js';
import { cla, type CommandSpec } from '../apdu-specs/types.js';
import { LoopbackApplet } from '../card/applets/index.js';
import { sha256 } from '../card/algorithms/sha256.js';
import { LOOPBACK_AID } from '../apdu-specs/loopback.js';
import { opsPerSecond, type BenchRow } from './measure.js';
import { runJCardSim, type JCardSimRun, type PeerWorkload } from './peers/jcardsim.js';

/** Figures quoted by the issue (jCardSim 3.0.5 on Java 17), first written here at b08172e. */
export const QUOTED: Record<PeerWorkload, string | undefined> = { trivial: '4.3–4.7 M APDU/s', sha256: '0.80–0.87 M APDU/s', write16: undefined };

const WRITE16_SPECS: readonly CommandSpec[] = [
  { name: 'BENCH_WRITE16', cla: cla('8X', 0x80, 0xff), ins: 0x16, cases: [3], description: 'write 16 bytes in one transaction', ref: 'bench' },
];

/** The jCardSim harness's INS 16 in cardforge terms: 16 data bytes written in one transaction. */
export class Write16Applet extends Applet {
  static readonly type = 'bench.write16';
  private readonly store: PBytes;
  readonly commands = new CommandTable(WRITE16_SPECS, {
    BENCH_WRITE16: (a) => {
      if (a.data.length !== 16) return { sw: 0x6700 };
      this.ctx.beginTransaction();
      this.store.set(a.data);
      this.ctx.commitTransaction();
      return {};
    },
  });
  constructor(ctx: AppletContext, params: AppletParams) {
    super(ctx, params);
    this.store = ctx.persistent.bytes('store', 16);
  }
}

function peer(run: JCardSimRun, w: PeerWorkload): string {
  if (!run.measured) {
    const q = QUOTED[w];
    return q === undefined ? `jCardSim: not measured here (${run.reason}); no figure quoted` : `jCardSim 3.0.5: ${q} — quoted, not measured here (source: the runtime issue, Java 17; ${run.reason})`;
  }
  return `jCardSim (measured in this run, ${run.method}): ${(run.rates[w] / 1e6).toFixed(2)} M APDU/s`;
}

export function benchRuntime(jcardsim: JCardSimRun = runJCardSim()): BenchRow[] {
  const card = new Card();
  card.install(LoopbackApplet, { aid: LOOPBACK_AID, default: true });
  const w16 = new Card();
  w16.install(Write16Applet, { aid: 'f0636172646667ff0001', default: true });
  card.powerOn();
  w16.powerOn();
  const fixed = hexToBytes('8012000010');
  const sha = hexToBytes('8014000040' + '5a'.repeat(64) + '20');
  const tx3 = hexToBytes('8016000003010203');
  const write16 = hexToBytes('8016000010' + '0102030405060708090a0b0c0d0e0f10');
  const check = (c: Card, cmd: Uint8Array, want: string): void => {
    const r = Buffer.from(c.transmit(cmd)).toString('hex');
    if (r !== want) throw new Error(`bench command ${Buffer.from(cmd).toString('hex')} answered ${r}, expected ${want}`);
  };
  check(card, fixed, 'a0a1a2a3a4a5a6a7a8a9aaabacadaeaf9000');
  check(card, sha, `${bytesToHex(sha256(new Uint8Array(64).fill(0x5a)))}9000`);
  check(card, tx3, '9000');
  check(w16, write16, '9000');
  const written = Buffer.from(w16.memory.cells.get('f0636172646667ff0001/store')!).toString('hex');
  if (written !== '0102030405060708090a0b0c0d0e0f10') throw new Error(`bench WRITE16 stored ${written}`);
  return [
    { name: 'in-process trivial APDU (16 bytes back)', ...opsPerSecond(() => card.transmit(fixed)), unit: 'APDU/s', peer: peer(jcardsim, 'trivial'), floor: 1_000_000 },
    { name: 'in-process SHA-256 of 64 bytes', ...opsPerSecond(() => card.transmit(sha), { batch: 200 }), unit: 'APDU/s', peer: peer(jcardsim, 'sha256') },
    { name: 'in-process 16-byte write in a transaction', ...opsPerSecond(() => w16.transmit(write16)), unit: 'APDU/s', peer: `${peer(jcardsim, 'write16')}; cardforge journals before-images for rollback, compare with care` },
    { name: 'in-process 3-write transaction commit (loopback TX3)', ...opsPerSecond(() => card.transmit(tx3)), unit: 'APDU/s', peer: 'no jCardSim workload (see the 16-byte write)' },
  ];
}
