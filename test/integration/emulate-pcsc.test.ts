/**
 * Issue 19 item 7 through a real pcscd + vpcd (private stack, scripts/pcsc): a second
 * `cardforge emulate` on a slot already served fails with exit 1 and says why (vpcd takes one card
 * per slot and never speaks to the second connection), and the first one keeps serving; `readers`
 * lists readers by index, takes --reader N, and shows the card's ATR parsed (here the
 * sysmoISIM-SJA2's real ATR, served by an emulated card). Guards: the second emulate printing
 * "the card is inserted" and waiting forever; readers --reader 0 matching "00" inside a name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { runCli } from '../cli/built-cli.js';
import type { PcscStack } from '../../scripts/pcsc/stack.js';
import { Card, hexToBytes } from '../../card/runtime/index.js';
import { LoopbackApplet } from '../../card/applets/index.js';
import { LOOPBACK_AID } from '../../apdu-specs/loopback.js';
import { saveImageFile } from '../../host/store/index.js';
import { ERROR_JSON, READERS_JSON, TRACE_REPLAY_JSON } from '../../host/cli/json/outputs.js';
import { writeFileSync } from 'node:fs';
import { pcscSuiteNote, skipPcsc, startStack, waitForCard } from './pcsc-stack.js';
import { EmulatorProcess } from './emulator-process.js';
import { tempDir } from '../helpers/temp-dir.js';

const SJA2_ATR = '3b9f96801f878031e073fe211b674a4c753034054ba9';

describe.skipIf(skipPcsc)(`emulate and readers through pcscd + vpcd${pcscSuiteNote}`, () => {
  let stack: PcscStack;
  let image: string;
  let first: EmulatorProcess;

  beforeAll(async () => {
    stack = await startStack();
    const dir = tempDir('cf-emu-pcsc-');
    image = join(dir, 'card.json');
    const card = new Card({ atr: hexToBytes(SJA2_ATR) });
    card.install(LoopbackApplet, { aid: LOOPBACK_AID, default: true });
    saveImageFile(image, card);
    first = await EmulatorProcess.start(stack, image);
  }, 120_000);

  afterAll(async () => {
    await first?.stop();
    await stack?.stop();
  });

  it('a second emulate on the served slot fails with exit 1 and why; the first keeps serving', async () => {
    const other = join(tempDir('cf-emu-pcsc-'), 'other.json');
    saveImageFile(other, new Card());
    const t0 = Date.now();
    const r = await runCli(['emulate', '--card', other, '--vpcd', `127.0.0.1:${stack.port}`, '--json'], { env: stack.env(), timeoutMs: 30_000 });
    expect(r.code).toBe(1);
    const err = ERROR_JSON.schema.parse(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).error;
    expect(err.code).toBe('VPCD_SLOT_BUSY');
    expect(err.message).toContain('this slot already serves a card');
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(first.running).toBe(true);
    await waitForCard(stack.readerName(0), true);
    const rs = READERS_JSON.schema.parse(JSON.parse((await runCli(['readers', '--json'], { env: stack.env() })).stdout));
    expect(rs[0]).toMatchObject({ index: 0, name: stack.readerName(0), cardPresent: true, atr: SJA2_ATR });
  }, 60_000);

  it('readers: by index, --reader N, the ATR parsed', async () => {
    const all = READERS_JSON.schema.parse(JSON.parse((await runCli(['readers', '--json'], { env: stack.env() })).stdout));
    expect(all.map((r) => [r.index, r.name, r.cardPresent])).toEqual([
      [0, stack.readerName(0), true],
      [1, stack.readerName(1), false],
    ]);
    expect(all[0]!.atrInfo).toEqual({
      convention: 'direct',
      protocols: ['T=0'],
      defaultProtocol: 'T=0',
      interfaceBytes: [
        { name: 'TA1', value: '96' },
        { name: 'TD1', value: '80' },
        { name: 'TD2', value: '1f' },
        { name: 'TA3', value: '87' },
      ],
      historical: '8031e073fe211b674a4c753034054b',
      tck: { present: true, ok: true },
      problems: [],
    });
    expect(all[1]!.atrInfo).toBeNull();
    const one = await runCli(['readers', '--reader', '1'], { env: stack.env() });
    expect(one.stdout).toBe(`1  ${stack.readerName(1)}  no card\n`);
    const zero = await runCli(['readers', '--reader', '0'], { env: stack.env() });
    expect(zero.stdout).toContain(`0  ${stack.readerName(0)}  card present  ATR ${SJA2_ATR.toUpperCase()}`);
    expect(zero.stdout).toContain('protocols offered: T=0; used without PPS: T=0');
    expect(zero.stdout).toContain('TCK A9 ok');
    // --reader N through the target every card command uses (here trace replay): reader 0, not a name containing "0".
    const trace = join(tempDir('cf-emu-pcsc-'), 'select.jsonl');
    writeFileSync(trace, '{"cardforge":"trace","version":1,"tool":"t"}\n{"e":"command","apdu":"80aa0000"}\n{"e":"response","data":"6d00"}\n');
    const rep = await runCli(['trace', 'replay', '--json', trace, '--reader', '0'], { env: stack.env() });
    expect(TRACE_REPLAY_JSON.schema.parse(JSON.parse(rep.stdout))).toMatchObject({ target: `pcsc:${stack.readerName(0)}`, ok: true, exchanges: 1, same: 1 });
    const bad = await runCli(['readers', '--reader', '5', '--json'], { env: stack.env() });
    expect(bad.code).toBe(1);
    expect(ERROR_JSON.schema.parse(JSON.parse(bad.stdout)).error.message).toMatch(/^no reader at index 5; readers are: 0 "Virtual PCD 00 00", 1 "Virtual PCD 00 01"/);
  }, 60_000);
});
