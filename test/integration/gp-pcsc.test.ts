/**
 * `cardforge gp --reader` through a real PC/SC stack: `cardforge emulate` serves a personalized
 * T=0 SIM image (with its Issuer Security Domain) to a private pcscd via vpcd, and `gp` talks to
 * it through libpcsclite as to a physical card: info, list under SCP02 and SCP03 at their highest
 * levels, put-key (the new key set opens a session), install / delete of an instance.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { runCli, REPO } from '../cli/built-cli.js';
import type { PcscStack } from '../../scripts/pcsc/stack.js';
import { pcscSuiteNote, skipPcsc, startStack } from './pcsc-stack.js';
import { EmulatorProcess } from './emulator-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { GP_CHANGE_JSON, GP_INFO_JSON, GP_LIST_JSON } from '../../host/cli/json/outputs.js';

const PROFILE = join(REPO, 'profiles/example-sim.yaml');
const NEW_KEY = '000102030405060708090a0b0c0d0e0f';

describe.skipIf(skipPcsc)(`cardforge gp --reader through pcscd + vpcd${pcscSuiteNote}`, () => {
  let stack: PcscStack;
  let emu: EmulatorProcess | undefined;
  let reader: string;
  const gp = async (...args: string[]): Promise<unknown> => {
    const r = await runCli(['gp', ...args, '--reader', reader, '--json'], { env: stack.env() });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  };

  beforeAll(async () => {
    stack = await startStack();
    const dir = tempDir('cf-gp-pcsc-');
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

  it('gp info: the ISD answers GET DATA through the reader', async () => {
    const info = GP_INFO_JSON.schema.parse(await gp('info'));
    expect(info.isd).toBe('a000000003000000'); // where SIMs keep it (apdu-specs OPEN_PLATFORM_ISD_AID), found after A000000151000000 answered 6A82
    expect(info.cardData?.scps.map((s) => s.version)).toEqual([2, 3]);
  });

  it.each([
    ['0x20', 'mac+enc', '02'],
    ['0x30', 'mac+enc+rmac+renc', '03'],
  ])('gp list --kvn %s --level %s (SCP%s)', async (kvn, level, scp) => {
    const doc = GP_LIST_JSON.schema.parse(await gp('list', '--kvn', kvn, '--level', level));
    expect(doc.scp).toBe(scp);
    expect(doc.entries.some((e) => e.kind === 'isd' && e.lifeCycleName === 'SECURED')).toBe(true);
  });

  it('put-key adds key set 31, which then opens a session; install and delete an instance with it', async () => {
    const pk = GP_CHANGE_JSON.schema.parse(await gp('put-key', '--kvn', '0x30', '--new-kvn', '0x31', '--new-key', NEW_KEY, '--level', 'mac+enc'));
    expect(pk.newKvn).toBe(0x31);
    const list = GP_LIST_JSON.schema.parse(await gp('list', '--kvn', '0x31', '--key', NEW_KEY));
    const pkg = list.entries.find((e) => e.kind === 'loadfile' && e.modules?.length)!;
    const inst = 'f063617264666701bb01';
    await gp('install', '--kvn', '0x31', '--key', NEW_KEY, '--package', pkg.aid, '--applet-class', pkg.modules![0]!, '--instance', inst);
    expect(GP_LIST_JSON.schema.parse(await gp('list', '--kvn', '0x20', '--level', 'mac+enc')).entries.find((e) => e.aid === inst)?.lifeCycleName).toBe('SELECTABLE');
    await gp('delete', inst, '--kvn', '0x20');
    expect(GP_LIST_JSON.schema.parse(await gp('list')).entries.find((e) => e.aid === inst)).toBeUndefined();
  });
});
