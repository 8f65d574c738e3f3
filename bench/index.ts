/**
 * `npm run bench [-- SECTION...]`: throughput figures printed as a table with how each was
 * measured and the peer or baseline beside ours and the floor the issues set. Sections: runtime
 * (jCardSim beside it when JCARDSIM_JAR is set: bench/peers), algorithms, sim, payment, ledger,
 * trace, personalize, dump (image dump: emulator, and pcscd + vpcd when the stack is there), soak,
 * transport (needs the PC/SC stack: pcscd + vpcd; "not measured" with the reason when it is
 * missing). A failed correctness check fails the run (exit 1): bench/runner.ts.
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

const SECTIONS: Section[] = [
  { name: 'runtime', run: () => benchRuntime() },
  {
    name: 'algorithms',
    run: async () =>
      (await benchAlgorithms()).map((r) => ({ name: `algorithm: ${r.name}`, value: r.opsPerSec, unit: 'ops/s', method: r.method, peer: r.name.startsWith('milenage') ? 'floor for USIM AUTHENTICATE: 50 k/s' : undefined })),
  },
  { name: 'sim', run: () => benchSim() },
  { name: 'payment', run: () => benchPayment() },
  { name: 'ledger', run: () => benchLedger() },
  { name: 'trace', run: () => benchTrace() },
  { name: 'personalize', run: () => benchApduPersonalization() },
  { name: 'dump', run: () => benchDump() },
  { name: 'soak', run: () => benchSoak(), explicit: true },
  {
    name: 'transport',
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
  .finally(() => stopPcscStack())
  .then(() => process.exit());
