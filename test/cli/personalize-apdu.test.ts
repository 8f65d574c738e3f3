/**
 * `cardforge personalize --card BLANK | --dry-run` as a user runs it (spawned CLI, real files):
 * a blank SIM image from `image new --sim-blank` personalized over APDUs equals the `-o` image's
 * persistent memory (guards the CLI wiring of the APDU path); --dry-run prints no secret; a wrong
 * --adm prints the tries left and exits 1 without writing; a second run is refused.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, REPO } from './built-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { imageCells } from '../helpers/image-cells.js';

let dir: string;
const example = join(REPO, 'profiles/example-sim.yaml');
beforeAll(() => {
  dir = tempDir('cf-perso-apdu-');
});
const persistent = (f: string): Record<string, string> => imageCells(JSON.parse(readFileSync(f, 'utf8')));

describe('cardforge personalize over APDUs', () => {
  it('image new --sim-blank, then personalize --card: same persistent memory as personalize -o; a second run is refused', async () => {
    const blank = join(dir, 'blank.json');
    const offline = join(dir, 'offline.json');
    let r = await runCli(['image', 'new', '--sim-blank', '--adm', '12345678', '-o', blank]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/blank both SIM/);
    r = await runCli(['personalize', example, '--card', blank]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^personalized emulator .*blank\.json: \d+ steps \(cardforge\), IMSI 001010123456789, ADM1 tries left 3$/m);
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/465b5ce8|cd63cb71/i);
    expect((await runCli(['personalize', example, '-o', offline])).code).toBe(0);
    expect(persistent(blank)).toEqual(persistent(offline));
    r = await runCli(['personalize', example, '--card', blank]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/already personalized/);
    expect(persistent(blank)).toEqual(persistent(offline));
  });

  it('--dry-run prints the masked script and no Ki, OPc or PIN value', async () => {
    const r = await runCli(['personalize', example, '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/0020000A08\*{16}\s+VERIFY ADM1/);
    expect(r.stdout).toMatch(/80DB1000[0-9A-F]{2}C110\*{32}C210\*{32}C303010401/);
    for (const s of ['465b5ce8b199b49faa5f0a2ee238a6bc', 'cd63cb71954a9f4e48a5994e37a02baf', '31323334', '3132333435363738', '35363738']) expect(r.stdout.toLowerCase()).not.toContain(s);
    const s = await runCli(['personalize', example, '--dry-run', '--adapter', 'sysmoisim-sja2']);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stderr).toMatch(/does not write iccid/);
    expect(s.stdout).not.toMatch(/465b5ce8/i);
  });

  it('a wrong --adm shows the tries left, exits 1 and leaves the card blank; at 1 try left nothing is presented', async () => {
    const blank = join(dir, 'blank2.json');
    expect((await runCli(['image', 'new', '--sim-blank', '--adm', '11112222', '-o', blank])).code).toBe(0);
    const before = persistent(blank);
    let r = await runCli(['personalize', example, '--card', blank, '--adm', '99999999']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/wrong ADM1 key \(63C2\): 2 tries left/);
    r = await runCli(['personalize', example, '--card', blank, '--adm', '99999999']);
    expect(r.stderr).toMatch(/1 try left/);
    r = await runCli(['personalize', example, '--card', blank, '--adm', '99999999']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/will not spend the last try/);
    const after = persistent(blank);
    for (const k of Object.keys(before)) if (!k.endsWith('adm1/tries')) expect(after[k], k).toBe(before[k]);
    expect(after['f0636172646667020001/sim/adm1/tries']).toBe('01');
    r = await runCli(['personalize', example, '--card', blank, '--adm', 'abc']);
    expect(r.code).toBe(2);
  });
});
