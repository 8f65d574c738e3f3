/**
 * `cardforge image dump` benchmark (issue 13: "the dump of a 60-file card takes seconds, not
 * minutes"): whole-card dumps with the FID scan, in files/s and seconds per card, through the
 * emulator transport and through the real stack (PcscTransport → private pcscd → vpcd →
 * VpcdEndpoint, skipped with the reason when the stack is missing). Cards: the declared SIM+USIM
 * (54 files, PIN1 disabled so every EF is read) and the clone of the real sysmoISIM-SJA2 export
 * (265 files, T=0). pySim-shell's export has no published speed, so the baseline is the floor any
 * walker doing the same work meets: the very commands the dump sent, replayed raw on the same
 * transport (no decisions, no parsing, no text) — the ratio is the walk's own overhead.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { installSim } from '../card/applets/sim/index.js';
import { Card, SeededRng } from '../card/runtime/index.js';
import { dumpCard, importPysimExport, type DumpResult } from '../host/fs/index.js';
import { EmulatorTransport, PcscTransport, VpcdEndpoint, type Transport } from '../host/transport/index.js';
import { NotMeasured, formatRate, type BenchRow } from './measure.js';
import { optionalPcscStack } from './pcsc.js';


/** The declared tree (MF, DF_TELECOM, DF_GSM, ADF_USIM, DF_GSM-ACCESS): 54 files. */
function declaredCard(): Card {
  const c = new Card({ rng: new SeededRng(new Uint8Array(32)) });
  installSim(c, { personality: 'both' }, {
    iccid: '8949000000000000001', imsi: '001010123456789', ki: '465b5ce8b199b49faa5f0a2ee238a6bc', opc: 'cd63cb71954a9f4e48a5994e37a02baf',
    algorithm: 'milenage', gsmAlgorithm: 'gsm-milenage', pins: { pin1: '1234', puk1: '12345678', pin2: '5678', puk2: '87654321', adm1: '88888888', pin1Enabled: false },
  });
  return c;
}

function sja2Clone(): Card {
  const file = fileURLToPath(new URL('../../shared/fixtures/real-cards/sysmoisim-sja2-backup.script', import.meta.url));
  return importPysimExport(readFileSync(file, 'utf8'), file).card; // ADM1 12345678 (no profile); PIN1 disabled as exported
}

interface Timing {
  dump: DumpResult;
  /** Best of the rounds, seconds. */
  walk: number;
  raw: number;
  rounds: number;
}

/** Dump `rounds` times (best time kept), then replay the commands of one dump raw, `rounds` times. */
async function time(t: Transport, scan: boolean, adm: string, rounds = 3): Promise<Timing> {
  const sent: Uint8Array[] = [];
  const record = (c: Uint8Array): void => void sent.push(c);
  t.on('exchange', record);
  let dump = await dumpCard(t, { adm, scan }); // warm-up, and the commands to replay
  t.off('exchange', record);
  let walk = Infinity;
  for (let i = 0; i < rounds; i++) {
    dump = await dumpCard(t, { adm, scan });
    walk = Math.min(walk, dump.ms / 1000);
  }
  let raw = Infinity;
  for (let i = 0; i < rounds; i++) {
    await t.reset();
    const t0 = performance.now();
    for (const c of sent) await t.transmit(c);
    raw = Math.min(raw, (performance.now() - t0) / 1000);
  }
  return { dump, walk, raw, rounds };
}

function rows(label: string, where: string, r: Timing): BenchRow[] {
  const files = r.dump.files;
  const overhead = `walk overhead ${(((r.walk - r.raw) / r.raw) * 100).toFixed(0)}%`;
  return [
    {
      name: `image dump ${where}: ${label} (${files} files, ${r.dump.probes} SELECT probes, ${r.dump.commands} commands)`,
      value: files / r.walk, unit: 'files/s', method: `best of ${r.rounds} dumps after 1 warm-up dump; raw replay best of ${r.rounds}`,
      peer: `the same ${r.dump.commands} commands replayed raw: ${formatRate(files / r.raw, 'files/s')}`, verdict: overhead,
    },
    {
      name: `image dump ${where}: ${label}, seconds per card`, value: r.walk, unit: 's', method: `best of ${r.rounds} dumps after 1 warm-up dump`,
      peer: `raw replay: ${r.raw.toFixed(3)} s`, verdict: r.walk < 60 ? 'seconds, not minutes' : 'MINUTES',
    },
  ];
}

const CARDS = [
  { label: 'declared SIM+USIM, FID scan', make: declaredCard, adm: '88888888', scan: true },
  { label: 'declared SIM+USIM, well-known FIDs only', make: declaredCard, adm: '88888888', scan: false },
  { label: 'sysmoISIM-SJA2 clone, FID scan', make: sja2Clone, adm: '12345678', scan: true },
] as const;

export async function benchDump(): Promise<BenchRow[]> {
  const out: BenchRow[] = [];
  for (const c of CARDS) {
    const t = new EmulatorTransport(c.make());
    await t.connect();
    out.push(...rows(c.label, 'emulator', await time(t, c.scan, c.adm)));
    await t.close();
  }
  out.push(...(await benchDumpPcsc()));
  return out;
}

/** Through pcscd + vpcd (the cards served in process by VpcdEndpoint, as `cardforge emulate` does). */
async function benchDumpPcsc(): Promise<BenchRow[]> {
  let stack: Awaited<ReturnType<typeof optionalPcscStack>>;
  try {
    stack = await optionalPcscStack();
  } catch (e) {
    if (!(e instanceof NotMeasured)) throw e;
    return [{ name: 'image dump pcscd+vpcd: not measured', value: NaN, unit: '', notMeasured: e.message }];
  }
  // libpcsclite reads the socket name once per process: set it before the first PC/SC call.
  process.env['PCSCLITE_CSOCK_NAME'] = stack.socket;
  const out: BenchRow[] = [];
  try {
    for (const [slot, c] of CARDS.filter((x) => x.scan).entries()) {
      const ep = new VpcdEndpoint(c.make(), { port: stack.port + slot });
      await ep.start();
      const t = new PcscTransport({ reader: stack.readerName(slot), waitMs: 10_000 });
      try {
        await t.connect();
        out.push(...rows(c.label, 'pcscd+vpcd', await time(t, c.scan, c.adm)));
      } finally {
        await t.close();
        await ep.stop();
      }
    }
  } finally {
    await stack.stop();
  }
  return out;
}
