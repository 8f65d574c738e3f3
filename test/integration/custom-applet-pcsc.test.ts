/**
 * A user's applet served to a real PC/SC client (issue 16): `cardforge emulate` with the user's
 * applet module (CARDFORGE_APPLETS, the environment form of --applets) serves an image holding it
 * through pcscd + vpcd, and opensc-tool selects it, presents the PIN, counts and reads.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PcscStack } from '../../scripts/pcsc/stack.js';
import { builtCli } from '../cli/built-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { COUNTER_AID, writeCounterModule } from '../library/counter-fixture.js';
import { EmulatorProcess } from './emulator-process.js';
import { pcscSuiteNote, skipPcsc, startStack } from './pcsc-stack.js';

describe.skipIf(skipPcsc)(`a user applet through pcscd + vpcd${pcscSuiteNote}`, () => {
  let stack: PcscStack;
  let emu: EmulatorProcess | undefined;

  beforeAll(async () => {
    const lib = join(dirname(dirname(dirname(builtCli()))), 'lib/index.js');
    const dir = tempDir('cf-applet-pcsc-');
    const mod = writeCounterModule(dir, lib);
    const api = (await import(pathToFileURL(lib).href)) as typeof import('../../lib/index.js');
    const { applets } = (await import(pathToFileURL(mod).href)) as { applets: { applet: never }[] };
    const card = new api.Card({ atr: api.buildAtr([0]) });
    card.install(applets[0]!.applet, { aid: COUNTER_AID, personalization: { pin: '1234' }, default: false });
    const image = join(dir, 'counter.json');
    api.saveImageFile(image, card);
    stack = await startStack();
    emu = await EmulatorProcess.start(stack, image, { args: ['-v'], env: { CARDFORGE_APPLETS: mod } });
  }, 120_000);

  afterAll(async () => {
    await emu?.stop();
    await stack?.stop();
  });

  it('opensc-tool selects it, presents the PIN, counts twice and reads 0000000A; emulate -v names its commands and masks the PIN', async () => {
    const r = spawnSync('opensc-tool', ['-r', stack.readerName(0), '-s', `00A4040008${COUNTER_AID}`, '-s', '002000000431323334', '-s', '800200000105', '-s', '800200000105', '-s', '8004000004'], { env: stack.env(), encoding: 'utf8', timeout: 20_000 });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const sws = [...r.stdout.matchAll(/Received \(SW1=0x([0-9A-F]{2}), SW2=0x([0-9A-F]{2})\)/g)].map((m) => m[1]! + m[2]!);
    expect(sws).toEqual(['9000', '9000', '9000', '9000', '9000']);
    expect(r.stdout).toMatch(/00 00 00 0A/);
    const deadline = Date.now() + 3000;
    while (!/COUNTER_READ/.test(emu!.stderr) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
    expect(emu!.stderr).toMatch(/COUNTER_VERIFY/); // named by the applet the SELECT made current
    expect(emu!.stderr).toMatch(/COUNTER_INCREMENT/);
    expect(emu!.stderr).not.toMatch(/31 32 33 34/);
  });
});
