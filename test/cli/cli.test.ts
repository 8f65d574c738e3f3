/**
 * The built `cardforge` CLI, spawned as a user would run it, on real files: help on every
 * command, image creation, decoded and JSON output of send, image updates (and --no-save), and
 * user errors as one line with exit code 1/2 and never a stack trace.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtCli, runCli } from './built-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

let dir: string;
beforeAll(() => {
  builtCli();
  dir = tempDir('cf-cli-');
});

function noStack(text: string): void {
  expect(text).not.toMatch(/\n\s+at .+\(.*:\d+:\d+\)/);
}

describe('cardforge CLI', () => {
  it.each([[[]], [['readers']], [['send']], [['emulate']], [['image']], [['image', 'new']]])('--help works for %j', async (cmd) => {
    const r = await runCli([...cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: cardforge/);
  });

  it('image new writes a loopback card; send --card prints decoded exchanges and saves the image', async () => {
    const image = join(dir, 'a.json');
    const made = await runCli(['image', 'new', '-o', image]);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/^wrote .*a\.json: ATR 3B89.* \(T=1\), loopback applet F0636172646667010001 \(default\)/);
    const r = await runCli(['send', '--card', image, '00 A4 04 00 0A F0 63 61 72 64 66 67 01 00 01', '80:12:00:00:10', '8016000003010203', '80180000 03'.replace(' ', ''), '80AA0000']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n').slice(0, 4)).toEqual([
      '> 00 A4 04 00 0A F0 63 61 72 64 66 67 01 00 01  (SELECT)',
      '< 9000  Normal ending of the command',
      '> 80 12 00 00 10  (FIXED16)',
      '< A0 A1 A2 A3 A4 A5 A6 A7 A8 A9 AA AB AC AD AE AF  9000  Normal ending of the command',
    ]);
    expect(r.stdout).toContain('< 01 02 03  9000');
    expect(r.stdout).toMatch(/< 6D00 {2}Instruction code not supported/);
    const again = await runCli(['send', '--card', image, '--json', '8018000003']);
    expect(JSON.parse(again.stdout)).toEqual([{ command: '8018000003', response: '0102039000', sw: '9000' }]);
  });

  it('send --no-save leaves the image file byte-identical', async () => {
    const image = join(dir, 'b.json');
    await runCli(['image', 'new', '-o', image]);
    const before = readFileSync(image, 'utf8');
    const r = await runCli(['send', '--card', image, '--no-save', '8016000003090909']);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(image, 'utf8')).toBe(before);
  });

  it('send --t0 runs GET RESPONSE / 6Cxx and returns the same bytes as T=1', async () => {
    const image = join(dir, 'c.json');
    await runCli(['image', 'new', '-o', image, '--t0']);
    const t0 = await runCli(['send', '--card', image, '--json', '8014000003616263', '8012000005']);
    const t1 = await runCli(['send', '--card', image, '--json', '--no-save', '801400000361626300', '8012000010']);
    expect(JSON.parse(t0.stdout).map((x: { response: string }) => x.response)).toEqual(JSON.parse(t1.stdout).map((x: { response: string }) => x.response));
    expect(JSON.parse(t0.stdout)[1].response).toBe('a0a1a2a3a4a5a6a7a8a9aaabacadaeaf9000');
  });

  it.each([
    // The offset, never the argument (it may hold a PIN).
    [['send', '--card', 'x.json', '80 1G 00 00'], 2, /^cardforge: APDU 1: not a hex digit at offset 4\n$/],
    [['send', '--card', 'x.json', '801'], 2, /odd number of hex digits/],
    [['send', '00A40400'], 2, /^cardforge: say which card to use: --card IMAGE or --reader NAME\n$/],
    [['send', '--card', 'a', '--reader', 'b', '00A40400'], 2, /cannot be used with option/],
    [['send', '--card', '/nonexistent/card.json', '00A40400'], 1, /^cardforge: \/nonexistent\/card\.json: no such card image; create one with/],
    [['emulate', '--card', 'x.json', '--vpcd', 'host:99999'], 2, /--vpcd expected HOST\[:PORT\]/],
    [['frobnicate'], 2, /unknown command 'frobnicate'/],
  ] as const)('%j fails with exit %i and one clear line', async (args, code, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    noStack(r.stderr);
  });

  it('a corrupt image is refused with the file named and left untouched', async () => {
    const image = join(dir, 'bad.json');
    writeFileSync(image, '{"format": "cardforge-card-image", "version": 1');
    const r = await runCli(['send', '--card', image, '00A40400']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^cardforge: ${image.replace(/[.]/g, '\\.')}: `));
    expect(readFileSync(image, 'utf8')).toBe('{"format": "cardforge-card-image", "version": 1');
    noStack(r.stderr);
  });

  it('image new refuses to overwrite without --force', async () => {
    const image = join(dir, 'd.json');
    expect((await runCli(['image', 'new', '-o', image])).code).toBe(0);
    const r = await runCli(['image', 'new', '-o', image]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`cardforge: ${image} already exists; pass --force to overwrite it\n`);
    expect((await runCli(['image', 'new', '-o', image, '--force'])).code).toBe(0);
  });

  it('readers and send --reader without a reachable pcscd say what to do (no stack trace)', async () => {
    const env = { ...process.env, PCSCLITE_CSOCK_NAME: join(dir, 'no-pcscd.comm') };
    for (const args of [['readers'], ['send', '--reader', 'Virtual PCD 00 00', '00A40400']]) {
      const r = await runCli(args, { env });
      expect(r.code).toBe(1);
      // Either pcscd is unreachable, or (without the optional addon) PC/SC support is missing.
      expect(r.stderr).toMatch(/^cardforge: (cannot open a PC\/SC context: PC\/SC service not running; pcscd is not running or not reachable at .*no-pcscd\.comm; start it|PC\/SC support .*apt-get install .*libpcsclite-dev)/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
