/**
 * `cardforge run --reader` and `send --raw --reader` through a real PC/SC stack: `cardforge emulate`
 * serves a T=0 SIM image to a private pcscd via vpcd, and the scripts go through libpcsclite as
 * they would to a physical card. The same script that passes on `--card` passes on `--reader`
 * (nothing is fetched: 9F17 reaches the script, its own A0 C0 gets the data); a mismatch exits 1;
 * and scriptor (pcsc-tools) given the same file, with the expectations removed, sees the same
 * status words, so "scriptor syntax" means what scriptor itself does.
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
import { RUN_JSON } from '../../host/cli/json/outputs.js';

const PROFILE = join(REPO, 'profiles/example-sim.yaml');

describe.skipIf(skipPcsc)(`cardforge run / send --raw on a T=0 reader through pcscd + vpcd${pcscSuiteNote}`, () => {
  let stack: PcscStack;
  let dir: string;
  let emu: EmulatorProcess | undefined;
  let reader: string;

  beforeAll(async () => {
    stack = await startStack();
    dir = tempDir('cf-run-pcsc-');
    const image = join(dir, 'sim.json');
    const r = await runCli(['personalize', PROFILE, '-o', image]);
    expect(r.code, r.stderr).toBe(0);
    emu = await EmulatorProcess.start(stack, image, { slot: 0 });
    reader = stack.readerName(0);
  });

  afterAll(async () => {
    await emu?.stop('SIGTERM', 0);
    await stack?.stop();
  });

  it('the example script holds on the reader: 9F17 reaches the script, its own GET RESPONSE gets the data', async () => {
    const r = await runCli(['run', 'examples/sim-checks.script', '--reader', reader, '--profile', PROFILE, '--json'], { env: stack.env() });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const out = RUN_JSON.schema.parse(JSON.parse(r.stdout));
    expect(out.ok).toBe(true);
    const select = out.steps.find((s) => 'command' in s && s.command === 'a0a40000023f00');
    expect(select).toMatchObject({ response: '9f17', ok: true });
    expect(r.stdout).not.toContain('31323334');
  });

  it('a mismatch on the reader exits 1 with expected vs got', async () => {
    const f = join(dir, 'fail.script');
    writeFileSync(f, 'A0 A4 00 00 02 3F 00 => 9000\nA0 C0 00 00 17\n');
    const r = await runCli(['run', f, '--reader', reader], { env: stack.env() });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^Using T=0 protocol \(pcsc:/m);
    expect(r.stdout).toContain(`! ${f}:1: expected 9000, got 9F17`);
  });

  it('send --raw --reader gives 9F17 then the data with the explicit A0 C0; without --raw the host fetches', async () => {
    const raw = await runCli(['send', '--reader', reader, '--raw', '--json', 'A0A40000023F00', 'A0C0000017'], { env: stack.env() });
    expect(raw.code, raw.stderr).toBe(0);
    expect(JSON.parse(raw.stdout).map((x: { sw: string }) => x.sw)).toEqual(['9f17', '9000']);
    const host = await runCli(['send', '--reader', reader, '--json', 'A0A40000023F00'], { env: stack.env() });
    expect(JSON.parse(host.stdout)[0].response).toMatch(/^000010003f00[0-9a-f]{34}9000$/);
  });

  it('scriptor runs the same file (expectations stripped) and sees the same status words', async () => {
    const src = readFileSync(join(REPO, 'examples/sim-checks.script'), 'utf8');
    const plain = src
      .split('\n')
      .filter((l) => !l.startsWith('#') && !l.includes('${'))
      .map((l) => l.replace(/\s*=>.*$/, ''))
      .join('\n');
    const f = join(dir, 'plain.scriptor');
    writeFileSync(f, plain);
    const s = spawnSync('scriptor', ['-r', reader, f], { env: stack.env(), encoding: 'utf8', timeout: 20_000 });
    expect(s.status, s.stdout + s.stderr).toBe(0);
    const scriptorSws = [...s.stdout.matchAll(/^< ([0-9A-F\s]+?) : /gm)].map((m) => m[1]!.replace(/\s/g, '').slice(-4).toLowerCase());
    const ours = await runCli(['run', f, '--reader', reader, '--json'], { env: stack.env() });
    expect(ours.code, ours.stderr).toBe(0);
    const oursSws = RUN_JSON.schema.parse(JSON.parse(ours.stdout)).steps.flatMap((st) => ('sw' in st ? [st.sw] : []));
    expect(oursSws).toEqual(scriptorSws);
    expect(oursSws).toContain('9f17');
  });
});
