/**
 * Crash safety of the emulator process (architecture.md "a killed emulator process loses nothing
 * that the card had acknowledged"): `cardforge emulate` serves a loopback image through a private
 * pcscd + vpcd; a PC/SC client streams state-changing TX3 commands (a 16-bit counter k in a‖b and
 * a check byte c = a ^ b ^ 5A, written in one transaction); the emulator gets SIGKILL at a seeded
 * moment (crash-harness.ts). After every restart the card holds exactly the last value the client
 * saw acknowledged, or the value of the command in flight; never a torn a/b/c. Iterations: 8 by
 * default, CARDFORGE_CRASH_ITERATIONS for a long run. Guards: the image saved after the reply (a
 * lost acknowledged update), a non-atomic image write, a journal not rolled back on load.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hexToBytes } from '../../card/runtime/index.js';
import { loadImageFile, saveImageFile } from '../../host/store/index.js';
import type { PcscStack } from '../../scripts/pcsc/stack.js';
import { builtCli } from '../cli/built-cli.js';
import { loopbackCard, pcscSuiteNote, skipPcsc, startStack } from '../integration/pcsc-stack.js';
import { crashCampaign } from './crash-harness.js';

const ITERATIONS = Number(process.env['CARDFORGE_CRASH_ITERATIONS'] ?? 8);

function tx3(k: number): Uint8Array {
  const a = (k >> 8) & 0xff, b = k & 0xff;
  return Uint8Array.of(0x80, 0x16, 0x00, 0x00, 0x03, a, b, a ^ b ^ 0x5a);
}

/** The counter the image holds after a power-up (an open transaction rolls back); a torn state throws. */
async function imageState(file: string): Promise<number> {
  const card = loadImageFile(file);
  card.powerOn();
  const r = card.transmit(hexToBytes('8018000003'));
  const [a, b, c] = [r[0]!, r[1]!, r[2]!];
  if ((a ^ b ^ 0x5a) !== c && !(a === 0 && b === 0 && c === 0)) throw new Error(`torn state in the image: a=${a} b=${b} c=${c}`);
  return (a << 8) | b;
}

describe.skipIf(skipPcsc)(`crash safety: SIGKILL of cardforge emulate through pcscd + vpcd${pcscSuiteNote}`, () => {
  let stack: PcscStack;
  let dir: string;
  beforeAll(async () => {
    builtCli();
    stack = await startStack();
    dir = mkdtempSync(join(tmpdir(), 'cf-crash-'));
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`after ${ITERATIONS} seeded SIGKILLs the image holds exactly the acknowledged state`, async () => {
    const file = join(dir, 'card.json');
    saveImageFile(file, loopbackCard());
    let restarts = 0;
    const { acked, outcomes } = await crashCampaign(stack, file, {
      // After a restart, through PC/SC: the state the previous kill left is at least what was acknowledged.
      open: async (t) => {
        const r = await t.transmit(hexToBytes('8018000003'));
        expect((r[0]! << 8) | r[1]!, `restart ${restarts++}`).toBe(await imageState(file));
      },
      step: async (t, k, flight) => {
        flight.sending();
        const rsp = await t.transmit(tx3(k & 0xffff));
        expect(Buffer.from(rsp).toString('hex')).toBe('9000');
        return true;
      },
      imageState,
    }, { iterations: ITERATIONS, seed: 'crash-safety', killAfterMs: (b) => 30 + b * 2, crashAt: 5 });
    // Streams ran long enough to be killed mid-command at least sometimes, and made progress.
    expect(acked).toBeGreaterThan(ITERATIONS);
    console.log(`crash safety: ${ITERATIONS} SIGKILLs, ${acked} acknowledged TX3 commands kept\n  ${outcomes.join('\n  ')}`);
  }, 60_000 + ITERATIONS * 6_000);
});
