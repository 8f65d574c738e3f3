/**
 * Ordinary PC/SC programs against the emulator: `cardforge emulate` (the built CLI, a separate
 * process) serves an image into the private pcscd; opensc-tool, scriptor and pcsc_scan see it,
 * and `cardforge send --reader` gives the same bytes as `cardforge send --card` for the same image.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtCli, runCli } from '../cli/built-cli.js';
import type { PcscStack } from '../../scripts/pcsc/stack.js';
import { pcscSuiteNote, skipPcsc, startStack, waitForCard } from './pcsc-stack.js';
import { tempDir } from '../helpers/temp-dir.js';

const SELECT_LOOPBACK = '00A404000AF0636172646667010001';

function tool(stack: PcscStack, cmd: string, args: string[], input?: string): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { env: stack.env(), encoding: 'utf8', timeout: 15_000, ...(input !== undefined ? { input } : {}) });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe.skipIf(skipPcsc)(`PC/SC programs see the emulated card${pcscSuiteNote}`, () => {
  let stack: PcscStack;
  let emu: ChildProcess;
  let emuLog = '';
  let dir: string;
  let image: string;
  let atrHex: string;

  beforeAll(async () => {
    stack = await startStack();
    dir = tempDir('cf-tools-');
    image = join(dir, 'card.json');
    const made = await runCli(['image', 'new', '-o', image]);
    expect(made.code, made.stderr).toBe(0);
    atrHex = /ATR ([0-9A-F]+)/.exec(made.stdout)![1]!;
    emu = spawn(process.execPath, [builtCli(), 'emulate', '--card', image, '--vpcd', `127.0.0.1:${stack.port}`, '-v'], { env: stack.env() });
    emu.stderr!.on('data', (d: Buffer) => (emuLog += d.toString()));
    await waitForCard(stack.readerName(0), true, 15_000);
  });

  afterAll(async () => {
    if (emu && emu.exitCode === null) {
      emu.kill('SIGTERM');
      await new Promise((r) => emu.once('exit', r));
    }
    await stack?.stop();
  });

  it('opensc-tool --atr prints the image ATR', () => {
    const r = tool(stack, 'opensc-tool', ['-r', stack.readerName(0), '--atr']);
    expect(r.status, r.out).toBe(0);
    expect(r.out.trim().replace(/:/g, '').toUpperCase()).toBe(atrHex);
  });

  it('opensc-tool -s gets the emulator answer, the same as cardforge send --card', async () => {
    const r = tool(stack, 'opensc-tool', ['-r', stack.readerName(0), '-s', '00A4040000', '-s', '80120000 10'.replace(' ', '')]);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain('Received (SW1=0x90, SW2=0x00)');
    expect(r.out).toMatch(/A0 A1 A2 A3 A4 A5 A6 A7 A8 A9 AA AB AC AD AE AF/);
    const copy = join(dir, 'copy.json');
    copyFileSync(image, copy);
    const viaCard = await runCli(['send', '--card', copy, '--no-save', '--json', '00A4040000', '8012000010']);
    const viaReader = await runCli(['send', '--reader', stack.readerName(0), '--json', '00A4040000', '8012000010'], { env: stack.env() });
    expect(viaCard.code, viaCard.stderr).toBe(0);
    expect(viaReader.code, viaReader.stderr).toBe(0);
    expect(JSON.parse(viaReader.stdout)).toEqual(JSON.parse(viaCard.stdout));
    expect(JSON.parse(viaCard.stdout)[0]).toEqual({ command: '00a4040000', response: '9000', sw: '9000' });
  });

  it('scriptor runs a script against the card', () => {
    const script = join(dir, 'loopback.scriptor');
    writeFileSync(script, `reset\n${SELECT_LOOPBACK.replace(/(..)/g, '$1 ').trim()}\n80 14 00 00 03 61 62 63 20\nexit\n`);
    const r = tool(stack, 'scriptor', ['-r', stack.readerName(0), script]);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toMatch(/< 90 00 : Normal processing\./);
    expect(r.out.replace(/\s+/g, ' ')).toMatch(/BA 78 16 BF 8F 01 CF EA 41 41 40 DE 5D AE 22 23 B0 03 61 A3 96 17 7A 9C B4 10 FF 61 F2 00 15 AD 90 00/);
  });

  it('pcsc_scan sees the card in the vpcd reader', async () => {
    const p = spawn('pcsc_scan', ['-c'], { env: stack.env() });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 10_000;
    while (!/Card inserted/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    p.kill('SIGTERM');
    expect(out).toContain('Virtual PCD 00 00');
    expect(out).toMatch(/Card inserted/);
    expect(out.replace(/\s+/g, ' ')).toContain(atrHex.replace(/(..)/g, '$1 ').trim());
  });

  it('cardforge emulate logs exchanges with -v and saves the image on SIGTERM', async () => {
    const before = readFileSync(image, 'utf8');
    const r = await runCli(['send', '--reader', stack.readerName(0), '8016000003 0A0B0C'.replace(' ', '')], { env: stack.env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('9000  Normal ending of the command');
    expect(readFileSync(image, 'utf8')).not.toBe(before); // saved after the committed change
    expect(emuLog).toMatch(/> 80 16 00 00 03 0A 0B 0C {2}\(TX3\)/);
    emu.kill('SIGTERM');
    const code = await new Promise((res) => emu.once('exit', res));
    expect(code).toBe(0);
    expect(emuLog).toContain(`SIGTERM: stopped; image saved to ${image}`);
    const after = await runCli(['send', '--card', image, '--json', '8018000003']);
    expect(JSON.parse(after.stdout)[0].response).toBe('0a0b0c9000');
  });
});
