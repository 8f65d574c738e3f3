/**
 * `npm run bench [-- SECTION...]`: throughput figures printed as a table with the peer or baseline
 * beside ours and the floor the issues set. Sections: runtime, algorithms, sim, payment, ledger,
 * trace, personalize, dump (image dump: emulator, and pcscd + vpcd when the stack is there), soak, transport
 * (needs the PC/SC stack: pcscd + vpcd; the reason is printed when it is missing).
 */
import { benchRuntime } from './runtime.js';
import { benchAlgorithms } from './algorithms.js';
import { formatRate, type BenchRow } from './measure.js';

/** `explicit`: runs only when named (`npm run bench -- soak`), being long. */
type Section = { name: string; run: () => Promise<BenchRow[]>; explicit?: boolean };

/** A section whose module may not exist yet in every checkout (applets land one by one). */
function optional(name: string, file: string, fn: string): Section {
  return {
    name,
    run: async () => {
      const mod = (await import(file)) as Record<string, () => BenchRow[] | Promise<BenchRow[]>>;
      const f = mod[fn];
      if (!f) throw new Error(`${file} has no ${fn}()`);
      return await f();
    },
  };
}

const SECTIONS: Section[] = [
  { name: 'runtime', run: async () => benchRuntime() },
  {
    name: 'algorithms',
    run: async () =>
      (await benchAlgorithms()).map((r) => ({ name: `algorithm: ${r.name}`, value: r.opsPerSec, unit: 'ops/s', peer: r.name.startsWith('milenage') ? 'floor for USIM AUTHENTICATE: 50 k/s' : undefined })),
  },
  optional('sim', './sim.js', 'benchSim'),
  optional('payment', './payment.js', 'benchPayment'),
  optional('ledger', './ledger.js', 'benchLedger'),
  optional('trace', './trace.js', 'benchTrace'),
  optional('personalize', './apdu-personalize.js', 'benchApduPersonalization'),
  optional('dump', './dump.js', 'benchDump'),
  { ...optional('soak', './soak.js', 'benchSoak'), explicit: true },
  {
    name: 'transport',
    run: async () => {
      // Loaded by name: the transport bench needs the PC/SC stack (pcscd + vpcd).
      const file = './transport.js';
      const mod = (await import(file)) as { benchTransport: () => Promise<Array<{ name: string; opsPerSec: number; peer?: string }>> };
      const rows = await mod.benchTransport();
      // The do-nothing card endpoint is the floor of the stack: show it beside the emulator with the ratio.
      const base = rows.find((r) => !r.peer);
      return rows
        .filter((r) => r.peer)
        .map((r) => {
          const ratio = base ? r.opsPerSec / base.opsPerSec : NaN;
          return {
            name: r.name,
            value: r.opsPerSec,
            unit: 'APDU/s',
            peer: base ? `${base.name}: ${formatRate(base.opsPerSec, 'APDU/s')}` : r.peer,
            verdict: Number.isNaN(ratio) ? '' : `${(ratio * 100).toFixed(0)}% of the stack (goal ≥ 90%)`,
          };
        });
    },
  },
];

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const unknown = wanted.filter((w) => !SECTIONS.some((s) => s.name === w));
  if (unknown.length) {
    console.error(`bench: unknown section ${unknown.join(', ')}; sections are: ${SECTIONS.map((s) => s.name).join(', ')}`);
    process.exit(2);
  }
  const rows: BenchRow[] = [];
  for (const s of SECTIONS) {
    if (wanted.length ? !wanted.includes(s.name) : s.explicit === true) continue;
    process.stderr.write(`bench: ${s.name}…\n`);
    try {
      rows.push(...(await s.run()));
    } catch (e) {
      rows.push({ name: `${s.name}: not measured`, value: NaN, unit: '', note: (e as Error).message.split('\n')[0] });
    }
  }
  const header = ['benchmark', 'cardforge', 'peer / baseline', 'floor', 'verdict'];
  const table = rows.map((r) => [
    r.name,
    Number.isNaN(r.value) ? '—' : formatRate(r.value, r.unit),
    r.peer ?? r.note ?? '',
    r.floor !== undefined ? formatRate(r.floor, r.unit) : '',
    r.verdict ?? (r.floor === undefined ? '' : r.value >= r.floor ? 'meets floor' : 'BELOW FLOOR'),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => '| ' + cells.map((c, i) => pad(c, widths[i]!)).join(' | ') + ' |';
  console.log(line(header));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const row of table) console.log(line(row));
  console.log(`\nnode ${process.version}, ${process.platform}/${process.arch}; best of 3 rounds per row.`);
}

main().catch((e) => {
  console.error(`bench: ${(e as Error).message}`);
  process.exit(1);
});
