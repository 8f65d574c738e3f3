/**
 * `npm run bench [-- --quick] [-- --rounds N] [-- --round-ms N] [-- SECTION...]`.
 *
 * By default: `table`, issue 20's nine rows, each ours beside a reference measured in the same
 * run in interleaved rounds, with median, min–max, the same-run ratio, the goal and the verdict
 * (bench/table.ts, bench/runner.ts); then the extra single-figure sections algorithms,
 * personalize and dump. `--quick` runs only `table`, with few short rounds (the CI smoke test).
 * Named only: runtime (jCardSim beside it when JCARDSIM_JAR is set: bench/peers), sim, payment,
 * ledger, trace, transport (the older per-issue sections the table covers, with their extra rows:
 * 3-write commit, COMP128-1, AES-CMAC signing, payment server, tear sweep) and soak. The load
 * average before and after and the machine are printed with every run. A failed correctness
 * check fails the run (exit 1).
 */
import { benchRuntime } from './runtime.js';
import { benchAlgorithms } from './algorithms.js';
import { benchSim } from './sim.js';
import { benchPayment } from './payment.js';
import { benchLedger } from './ledger.js';
import { benchTrace } from './trace.js';
import { benchApduPersonalization } from './apdu-personalize.js';
import { benchDump } from './dump.js';
import { benchSoak } from './soak.js';
import { benchTransport } from './transport.js';
import { formatRate } from './measure.js';
import { benchMain, type Section } from './runner.js';
import { stopPcscStack } from './pcsc.js';
import { closeTableResources, issue20Rows } from './table.js';
import { installCryptoFromEnv } from '../host/crypto/node-provider.js';

// The cards measured use the crypto provider the CLI uses (node:crypto where faster);
// CARDFORGE_CRYPTO=pure measures the portable pure-TypeScript provider.
const provider = installCryptoFromEnv(process.env, 'node');
console.log(`bench: crypto provider ${provider.name} (CARDFORGE_CRYPTO=pure|node)`);

const SECTIONS: Section[] = [
  { name: 'table', paired: (o) => issue20Rows(o), quick: true },
  { name: 'runtime', run: () => benchRuntime(), explicit: true },
  {
    name: 'algorithms',
    run: async () =>
      (await benchAlgorithms()).map((r) => ({ name: `algorithm: ${r.name}`, value: r.opsPerSec, unit: 'ops/s', method: r.method, peer: r.name.startsWith('milenage') ? 'floor for USIM AUTHENTICATE: 50 k/s' : undefined })),
  },
  { name: 'sim', run: () => benchSim(), explicit: true },
  { name: 'payment', run: () => benchPayment(), explicit: true },
  { name: 'ledger', run: () => benchLedger(), explicit: true },
  { name: 'trace', run: () => benchTrace(), explicit: true },
  { name: 'personalize', run: () => benchApduPersonalization() },
  { name: 'dump', run: () => benchDump() },
  { name: 'soak', run: () => benchSoak(), explicit: true },
  {
    name: 'transport',
    explicit: true,
    run: async () => {
      const rows = await benchTransport();
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
            method: r.method,
            peer: base ? `${base.name}: ${formatRate(base.opsPerSec, 'APDU/s')}` : r.peer,
            verdict: Number.isNaN(ratio) ? '' : `${(ratio * 100).toFixed(0)}% of the stack (goal ≥ 90%)`,
          };
        });
    },
  },
];

// Exit explicitly once the table is out: a PC/SC context or a child's handle must not keep a
// finished run alive.
void benchMain(SECTIONS)
  .finally(() => closeTableResources())
  .finally(() => stopPcscStack())
  .then(() => process.exit());
