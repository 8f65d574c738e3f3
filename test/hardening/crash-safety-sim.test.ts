/**
 * Crash safety with the SIM applet's own persistent writes: `cardforge emulate` serves a
 * personalized SIM through pcscd + vpcd while a client streams Advice-of-Charge INCREASEs of
 * EF_ACM (a cyclic record write and the record pointer in one transaction); the emulator gets
 * SIGKILL at seeded moments (crash-harness.ts). After every restart the meter holds the last
 * acknowledged value, or the one in flight when the kill swallowed the response; never a lost or
 * doubled unit. Guards: a cyclic-file update not atomic with its pointer, an image saved after the reply.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hexToBytes } from '../../card/runtime/index.js';
import type { Transport } from '../../host/transport/index.js';
import { loadImageFile } from '../../host/store/index.js';
import type { PcscStack } from '../../scripts/pcsc/stack.js';
import { builtCli, runCli, REPO } from '../cli/built-cli.js';
import { pcscSuiteNote, skipPcsc, startStack } from '../integration/pcsc-stack.js';
import { crashCampaign } from './crash-harness.js';

const ITERATIONS = Number(process.env['CARDFORGE_CRASH_ITERATIONS'] ?? 5);
const pin = (p: string): string => Buffer.from(p).toString('hex') + 'ff'.repeat(8 - p.length);
const u24 = (b: Uint8Array, o = 0): number => (b[o]! << 16) | (b[o + 1]! << 8) | b[o + 2]!;

/** Select EF_ACM and present CHV1 + CHV2 (INCREASE of EF_ACM needs them), as a phone does. */
async function openAcm(t: Transport): Promise<void> {
  for (const apdu of ['a0a40000023f00', 'a0a40000027f20', `a020000108${pin('1234')}`, `a020000208${pin('5678')}`, 'a0a40000026f39']) {
    const r = await t.transmit(hexToBytes(apdu));
    const sw = (r[r.length - 2]! << 8) | r[r.length - 1]!;
    expect(sw === 0x9000 || sw >> 8 === 0x9f, `${apdu} → ${sw.toString(16)}`).toBe(true);
  }
}

/** The meter the image holds after a power-up (EF_ACM record 1 is the latest value). */
async function imageAcm(file: string): Promise<number> {
  const card = loadImageFile(file);
  card.powerOn();
  const send = (h: string): Uint8Array => card.transmit(hexToBytes(h));
  for (const a of ['a0a40000023f00', 'a0a40000027f20', `a020000108${pin('1234')}`, 'a0a40000026f39']) send(a);
  return u24(send('a0b2010403'));
}

describe.skipIf(skipPcsc)(`crash safety of SIM writes: SIGKILL while INCREASE streams through pcscd + vpcd${pcscSuiteNote}`, () => {
  let stack: PcscStack;
  let dir: string;
  beforeAll(async () => {
    builtCli();
    stack = await startStack();
    dir = mkdtempSync(join(tmpdir(), 'cf-crash-sim-'));
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`after ${ITERATIONS} seeded SIGKILLs the ACM meter holds exactly the acknowledged units`, async () => {
    const profile = join(dir, 'sim.yaml');
    writeFileSync(profile, readFileSync(join(REPO, 'profiles/example-sim.yaml'), 'utf8').replace('acm_max: 1000', 'acm_max: 0'));
    const file = join(dir, 'sim.json');
    expect((await runCli(['personalize', profile, '-o', file])).code).toBe(0);
    const { acked, outcomes } = await crashCampaign(stack, file, {
      open: openAcm,
      step: async (t, next, flight) => {
        flight.sending();
        const rsp = await t.transmit(hexToBytes('a032000003000001'));
        expect(rsp[rsp.length - 2], Buffer.from(rsp).toString('hex')).toBe(0x90);
        expect(u24(rsp), 'INCREASE answers the new value').toBe(next);
        return true;
      },
      imageState: imageAcm,
    }, { iterations: ITERATIONS, seed: 'crash-safety-sim', killAfterMs: (b) => 40 + b * 2, crashAt: 8 });
    expect(acked).toBeGreaterThan(ITERATIONS);
    console.log(`crash safety (SIM INCREASE): ${ITERATIONS} SIGKILLs, meter ${acked}\n  ${outcomes.join('\n  ')}`);
  }, 90_000 + ITERATIONS * 8_000);
});
