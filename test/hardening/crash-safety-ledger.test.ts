/**
 * Crash safety of the ledger (issue 6 "tear-proof", issue 9 crash safety): `cardforge emulate`
 * serves the seeds card through pcscd + vpcd while a client streams consented 1-unit DEBITs of
 * fresh editor-signed offers; the emulator gets SIGKILL at seeded moments. After every restart
 * the transaction counter is the last acknowledged one or the one in flight, and the balance is
 * exactly 1000 − counter: a debit is never lost after its receipt, never doubled, never half done.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeededRng, hexToBytes } from '../../card/runtime/index.js';
import { EmulatorTransport, PcscTransport } from '../../host/transport/index.js';
import { loadImageFile } from '../../host/store/index.js';
import { LedgerCard, LedgerCardError, PaymentServer, SoftwareInterface } from '../../host/backend/ledger/index.js';
import { SW } from '../../apdu-specs/status-words.js';
import { actorsFrom, demoSecrets } from '../../host/backend/actors.js';
import type { PcscStack } from '../../scripts/pcsc/stack.js';
import { builtCli, runCli, REPO } from '../cli/built-cli.js';
import { pcscSuiteNote, skipPcsc, startStack, waitForCard } from '../integration/pcsc-stack.js';

const ITERATIONS = Number(process.env['CARDFORGE_CRASH_ITERATIONS'] ?? 4);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const CODE = new TextEncoder().encode('2468');

async function imageLedger(file: string): Promise<{ txCounter: number; value: number }> {
  const card = loadImageFile(file);
  const t = new EmulatorTransport(card);
  await t.connect();
  const w = new LedgerCard(t);
  await w.select();
  const info = await w.info();
  await t.close();
  return { txCounter: info.txCounter, value: info.value };
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
    const rng = new SeededRng('crash-safety-ledger');
    const server = new PaymentServer(actors.ledgerIssuer.publicKey, actors.ledgerServerKey);
    const reader = stack.readerName(0);
    let acked = 0;
    const outcomes: string[] = [];
    for (let i = 0; i < ITERATIONS; i++) {
      const emu: ChildProcess = spawn(process.execPath, [builtCli(), 'emulate', '--card', file, '--vpcd', `127.0.0.1:${stack.port}`], { env: stack.env(), stdio: ['ignore', 'ignore', 'ignore'] });
      const exited = new Promise<void>((res) => emu.on('exit', () => res()));
      try {
        await waitForCard(reader, true, 10_000);
        const t = new PcscTransport({ reader, waitMs: 3000 });
        await t.connect();
        const w = new LedgerCard(t);
        await w.select();
        const cert = await w.certificate();
        // The first P-256 operations of a fresh process build their tables (~0.5 s): kill later than that.
        const killAfter = 700 + rng.fill(new Uint8Array(1))[0]! * 4;
        const killer = sleep(killAfter).then(() => emu.kill('SIGKILL'));
        let inflight: number | undefined;
        let streamed = 0;
        let lastError = '';
        for (;;) {
          try {
            await w.verifyCode(CODE);
            inflight = acked + 1;
            const receipt = await w.debit(editor.offer(`use ${acked + 1}`, 1, 978));
            expect(receipt.signature.length).toBeGreaterThan(0);
          } catch (e) {
            if (e instanceof LedgerCardError && e.sw === SW.LEDGER_LOG_NOT_EXPORTED) {
              // The log is full of unexported records: settle it with the server and go on.
              inflight = undefined;
              try {
                const imported = server.importExport(cert, await w.exportLog());
                await w.ackExport(imported.ack.exportCounter, imported.ack.last, imported.ack.signature);
                continue;
              } catch (e2) {
                lastError = (e2 as Error).message;
                break; // killed during the settlement: no debit in flight
              }
            }
            lastError = (e as Error).message;
            break; // the emulator died: the debit in flight, if any, is unknown to the client
          }
          acked++;
          inflight = undefined;
          streamed++;
        }
        await killer;
        await exited;
        await t.close().catch(() => undefined);
        await waitForCard(reader, false, 5000);
        const s = await imageLedger(file);
        outcomes.push(`kill@${killAfter}ms after ${streamed} receipts: counter ${s.txCounter}, balance ${s.value}, in flight ${inflight ?? '-'} (${lastError})`);
        expect(inflight === undefined ? [acked] : [acked, inflight], outcomes.join('\n')).toContain(s.txCounter);
        expect(s.value, outcomes.join('\n')).toBe(1000 - s.txCounter);
        acked = s.txCounter;
      } finally {
        emu.kill('SIGKILL');
        await exited;
      }
    }
    expect(acked).toBeGreaterThan(ITERATIONS);
    console.log(`crash safety (ledger DEBIT): ${ITERATIONS} SIGKILLs, ${acked} debits kept\n  ${outcomes.join('\n  ')}`);
  }, 90_000 + ITERATIONS * 8_000);
});
