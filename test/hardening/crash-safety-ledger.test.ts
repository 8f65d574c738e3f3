/**
 * Crash safety of the ledger (issue 6 "tear-proof", issue 9 crash safety): `cardforge emulate`
 * serves the seeds card through pcscd + vpcd while a client streams consented 1-unit DEBITs of
 * fresh editor-signed offers (settling the log with the server whenever it is full); the emulator
 * gets SIGKILL at seeded moments (crash-harness.ts). After every restart the transaction counter
 * is the last acknowledged one or the one in flight, and the balance is exactly 1000 − counter:
 * a debit is never lost after its receipt, never doubled, never half done.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hexToBytes } from '../../card/runtime/index.js';
import { EmulatorTransport } from '../../host/transport/index.js';
import { loadImageFile } from '../../host/store/index.js';
import { LedgerCard, LedgerCardError, SettlementServer, SoftwareInterface } from '../../host/backend/ledger/index.js';
import { actorsFrom, demoSecrets } from '../../host/backend/actors.js';
import { SW } from '../../apdu-specs/status-words.js';
import type { PcscStack } from '../../scripts/pcsc/stack.js';
import { builtCli, runCli, REPO } from '../cli/built-cli.js';
import { pcscSuiteNote, skipPcsc, startStack } from '../integration/pcsc-stack.js';
import { crashCampaign } from './crash-harness.js';

const ITERATIONS = Number(process.env['CARDFORGE_CRASH_ITERATIONS'] ?? 4);
const CODE = new TextEncoder().encode('2468');

/** The transaction counter the image holds; its balance must be 1000 − counter. */
async function imageCounter(file: string): Promise<number> {
  const t = new EmulatorTransport(loadImageFile(file));
  await t.connect();
  const w = new LedgerCard(t);
  await w.select();
  const info = await w.info();
  await t.close();
  expect(info.value, `balance with ${info.txCounter} debits`).toBe(1000 - info.txCounter);
  return info.txCounter;
}

describe.skipIf(skipPcsc)(`crash safety of ledger DEBITs: SIGKILL through pcscd + vpcd${pcscSuiteNote}`, () => {
  let stack: PcscStack;
  let dir: string;
  beforeAll(async () => {
    builtCli();
    stack = await startStack();
    dir = mkdtempSync(join(tmpdir(), 'cf-crash-ledger-'));
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`after ${ITERATIONS} seeded SIGKILLs the counter and balance match the acknowledged debits`, async () => {
    const file = join(dir, 'seeds.json');
    const made = await runCli(['personalize', join(REPO, 'profiles/example-seeds.yaml'), '--backend-keys', 'demo', '-o', file]);
    expect(made.code, made.stderr).toBe(0);
    const actors = actorsFrom(demoSecrets());
    const editor = new SoftwareInterface(hexToBytes('ed00000c'), actors.editorRoot, actors.ledgerIssuer.publicKey);
    const server = new SettlementServer(actors.ledgerIssuer.publicKey, actors.ledgerServerKey);
    let w!: LedgerCard;
    let cert!: Awaited<ReturnType<LedgerCard['certificate']>>;
    const { acked, outcomes } = await crashCampaign(stack, file, {
      open: async (t) => {
        w = new LedgerCard(t);
        await w.select();
        cert = await w.certificate();
      },
      step: async (_t, next, flight) => {
        await w.verifyCode(CODE);
        const { challenge } = await w.challenge();
        try {
          flight.sending();
          const receipt = await w.debit(editor.offer(`use ${next}`, 1, 978, challenge));
          expect(receipt.signature.length).toBeGreaterThan(0);
          return true;
        } catch (e) {
          if (!(e instanceof LedgerCardError && e.sw === SW.LEDGER_LOG_NOT_EXPORTED)) throw e;
          flight.refused();
          // The log is full of unexported records: settle it with the server and go on.
          const imported = server.importExport(cert, await w.exportLog());
          await w.ackExport(imported.ack.exportCounter, imported.ack.last, imported.ack.signature);
          return false;
        }
      },
      imageState: imageCounter,
    }, {
      iterations: ITERATIONS,
      seed: 'crash-safety-ledger',
      // The first P-256 operations of a fresh process build their tables (~0.5 s): kill later than that.
      killAfterMs: (b) => 700 + b * 4,
      crashAt: 6,
    });
    expect(acked).toBeGreaterThan(ITERATIONS);
    console.log(`crash safety (ledger DEBIT): ${ITERATIONS} SIGKILLs, ${acked} debits kept\n  ${outcomes.join('\n  ')}`);
  }, 90_000 + ITERATIONS * 8_000);
});
