/**
 * The personalized SIM through the real PC/SC stack: `cardforge emulate` serves the image to a
 * private pcscd via vpcd; opensc-tool runs VERIFY CHV1 / RUN GSM ALGORITHM and gets the SRES/Kc of
 * TS 55.205 (GSM-Milenage) test set 1; `cardforge prove --reader` passes every suite, and against
 * a card personalized with a different Ki only the authentication rows fail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, REPO } from '../cli/built-cli.js';
import type { PcscStack } from '../../scripts/pcsc/stack.js';
import { pcscSuiteNote, skipPcsc, startStack } from './pcsc-stack.js';
import { EmulatorProcess } from './emulator-process.js';
import { tempDir } from '../helpers/temp-dir.js';

// TS 55.205 set 1 (shared/vectors/gsm-milenage-ts55205.json): Ki, OPc, RAND → SRES#1, Kc.
const KI = '465b5ce8b199b49faa5f0a2ee238a6bc';
const OTHER_KI = '0396eb317b6d1c36f19c1c84cd6ffd16';
const RAND = '23553cbe9637a89d218ae64dae47bf35';
const SRES_KC = '46f8416aeae4be823af9a08b';

describe.skipIf(skipPcsc)(`the emulated SIM through pcscd + vpcd${pcscSuiteNote}`, () => {
  let stack: PcscStack;
  let dir: string;
  let emu: EmulatorProcess | undefined;

  const tool = (cmd: string, args: string[]): { status: number | null; out: string } => {
    const r = spawnSync(cmd, args, { env: stack.env(), encoding: 'utf8', timeout: 20_000 });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  };

  async function serveImage(image: string): Promise<void> {
    await emu?.stop();
    emu = await EmulatorProcess.start(stack, image);
  }

  async function personalize(name: string, ki: string): Promise<{ profile: string; image: string }> {
    const profile = join(dir, `${name}.yaml`);
    const image = join(dir, `${name}.json`);
    writeFileSync(profile, readFileSync(join(REPO, 'profiles/example-sim.yaml'), 'utf8').replace(KI, ki));
    const r = await runCli(['personalize', profile, '-o', image]);
    expect(r.code, r.stderr).toBe(0);
    return { profile, image };
  }

  beforeAll(async () => {
    stack = await startStack();
    dir = tempDir('cf-sim-pcsc-');
  });

  afterAll(async () => {
    await emu?.stop();
    await stack?.stop();
  });

  it('opensc-tool: VERIFY CHV1 and RUN GSM ALGORITHM give the TS 55.205 SRES and Kc', async () => {
    const { image } = await personalize('good', KI);
    await serveImage(image);
    const r = tool('opensc-tool', [
      '-r', stack.readerName(0),
      '-s', 'A0A40000023F00',
      '-s', 'A0A40000027F20',
      '-s', 'A02000010831323334FFFFFFFF',
      '-s', `A088000010${RAND}`,
      '-s', 'A0C000000C',
    ]);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain('Received (SW1=0x9F, SW2=0x0C)');
    const spaced = SRES_KC.toUpperCase().replace(/(..)(?!$)/g, '$1 ');
    expect(r.out).toContain(spaced);
  });

  it('cardforge prove --reader passes every suite (SIM, payment, auth-result, mall-profile, ledger) against the emulated card', { timeout: 120_000 }, async () => {
    const profile = join(REPO, 'profiles/example-seeds.yaml');
    const image = join(dir, 'seeds.json');
    const made = await runCli(['personalize', profile, '--backend-keys', 'demo', '-o', image]);
    expect(made.code, made.stderr).toBe(0);
    await serveImage(image);
    const junit = join(dir, 'prove.xml');
    const r = await runCli(['prove', '--reader', stack.readerName(0), '--profile', profile, '--backend-keys', 'demo', '--destructive', '--junit', junit], { env: stack.env(), timeoutMs: 90_000 });
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/\d+ checks ran: \d+ passed, 0 failed; 0 skipped/);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain('failures="0"');
    for (const suite of ['pin', 'gsm-auth', 'usim-auth', 'aoc', 'payment', 'auth-result', 'mall-profile', 'ledger']) expect(xml).toContain(`<testsuite name="${suite}"`);
  });

  it('against a card with a different Ki, only the authentication rows fail', { timeout: 120_000 }, async () => {
    const { image } = await personalize('wrong-ki', OTHER_KI);
    const { profile } = await personalize('expected', KI);
    await serveImage(image);
    const r = await runCli(['prove', '--reader', stack.readerName(0), '--profile', profile, '--json'], { env: stack.env(), timeoutMs: 90_000 });
    expect(r.code).toBe(1);
    const rows = JSON.parse(r.stdout).rows as Array<{ suite: string; check: string; verdict: string }>;
    const failed = rows.filter((x) => x.verdict === 'fail');
    expect(failed.length).toBeGreaterThan(0);
    for (const f of failed) expect(['gsm-auth', 'usim-auth']).toContain(f.suite);
    expect(rows.filter((x) => x.suite === 'pin' || x.suite === 'aoc').every((x) => x.verdict !== 'fail')).toBe(true);
    expect(failed.map((f) => f.check)).toEqual(expect.arrayContaining([expect.stringMatching(/RUN GSM ALGORITHM #1/), expect.stringMatching(/AUTHENTICATE 3G/)]));
  });
});
