/**
 * Personalization over APDUs through the real PC/SC stack (issue 8): `cardforge emulate` serves a
 * blank SIM (`image new --sim-blank`) to a private pcscd via vpcd; `cardforge personalize
 * --reader` writes the example profile to it, then `cardforge prove --reader` passes every SIM
 * suite (guards the APDU path on T=0 through a real reader: 61xx/9Fxx handling, case 3 UPDATEs).
 * Mandatory with CI=true; skipped locally with the reason when the stack is missing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { join } from 'node:path';
import { runCli, REPO } from '../cli/built-cli.js';
import type { PcscStack } from '../../scripts/pcsc/stack.js';
import { pcscSuiteNote, skipPcsc, startStack } from './pcsc-stack.js';
import { EmulatorProcess } from './emulator-process.js';
import { tempDir } from '../helpers/temp-dir.js';

describe.skipIf(skipPcsc)(`cardforge personalize --reader through pcscd + vpcd${pcscSuiteNote}`, () => {
  let stack: PcscStack;
  let dir: string;
  let emu: EmulatorProcess | undefined;
  const example = join(REPO, 'profiles/example-sim.yaml');

  beforeAll(async () => {
    stack = await startStack();
    dir = tempDir('cf-perso-pcsc-');
  });

  afterAll(async () => {
    await emu?.stop();
    await stack?.stop();
  });

  it('personalizes a blank emulated SIM through the reader, then prove --reader passes', async () => {
    const image = join(dir, 'blank.json');
    let r = await runCli(['image', 'new', '--sim-blank', '--adm', '12345678', '-o', image]);
    expect(r.code, r.stderr).toBe(0);
    emu = await EmulatorProcess.start(stack, image);
    const reader = stack.readerName(0);
    r = await runCli(['personalize', example, '--reader', reader, '--dry-run'], { env: stack.env() });
    expect(r.code, r.stderr).toBe(0);
    r = await runCli(['personalize', example, '--reader', reader], { env: stack.env(), timeoutMs: 60_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ADM1 tries left 3/);
    r = await runCli(['prove', '--reader', reader, '--profile', example, 'pin', 'gsm-auth', 'usim-auth', 'aoc'], { env: stack.env(), timeoutMs: 60_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\d+ passed, 0 failed/);
    r = await runCli(['personalize', example, '--reader', reader], { env: stack.env(), timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/already personalized/);
  }, 180_000);
});
