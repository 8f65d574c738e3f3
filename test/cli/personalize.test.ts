/**
 * `cardforge personalize` and `cardforge prove` as a user runs them: real files, spawned CLI,
 * bad input reported in one line (profile field path and expected form; unreadable image).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, REPO } from './built-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

let dir: string;
const example = join(REPO, 'profiles/example-sim.yaml');
beforeAll(() => {
  dir = tempDir('cf-perso-');
});

describe('cardforge personalize / prove', () => {
  it('writes the image a profile describes, and prove passes on it', async () => {
    const image = join(dir, 'sim.json');
    const r = await runCli(['personalize', example, '-o', image]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*sim\.json: both SIM, IMSI 001010123456789, milenage\/gsm-milenage, ATR 3B9E/);
    const img = JSON.parse(readFileSync(image, 'utf8'));
    expect(img.applets[0].type).toBe('cardforge.sim');
    expect(JSON.stringify(img.applets[0].params)).not.toMatch(/465b5ce8/); // no keys in the layout params
    const p = await runCli(['prove', '--card', image, '--profile', example, 'gsm-auth', 'usim-auth']);
    expect(p.code, p.stdout + p.stderr).toBe(0);
    expect(p.stdout).toMatch(/^\d+ checks ran: \d+ passed, 0 failed; 0 skipped$/m);
  });

  it('prove without a profile does not pass vacuously; --destructive runs the spending checks; groups and --list', async () => {
    const image = join(dir, 'vacuous.json');
    expect((await runCli(['personalize', example, '-o', image])).code).toBe(0);
    const none = await runCli(['prove', '--card', image, '--no-save']);
    expect(none.code, none.stdout + none.stderr).toBe(1);
    expect(none.stderr).toMatch(/prove: 0 checks ran: 12 skipped \(needs --profile ×12\) — nothing was proved \(give --profile/);
    const aoc = await runCli(['prove', '--card', image, '--no-save', '--profile', example, 'aoc']);
    expect(aoc.code, aoc.stdout + aoc.stderr).toBe(0);
    expect(aoc.stdout).toMatch(/INCREASE EF_ACM by 1 +skip\n +↳ destructive: pass --destructive/);
    expect(aoc.stdout).toMatch(/^\d+ checks ran: \d+ passed, 0 failed; 2 skipped \(destructive: pass --destructive ×2\)$/m);
    const spend = await runCli(['prove', '--card', image, '--no-save', '--profile', example, '--destructive', 'aoc']);
    expect(spend.code, spend.stdout + spend.stderr).toBe(0);
    expect(spend.stdout).toMatch(/INCREASE EF_ACM by 1: new value ‖ added value .* pass/);
    const seed = await runCli(['prove', '--card', image, '--no-save', '--profile', example, 'seed-000-identification']);
    expect(seed.code).toBe(1); // the SIM-only profile has no payment or wallet section: nothing proved, not a pass
    expect(seed.stdout + seed.stderr).toMatch(/the profile has no wallet section/);
    // Issue 18: the seed-000 flow is complete (payment and e-wallet suites): no in-progress note.
    expect(seed.stderr).not.toMatch(/in progress/);
    const list = await runCli(['prove', '--list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/destructive: signed purchase: SIGN TRANSACTION.* — signs purchases/);
    expect(list.stdout).toMatch(/seed-004-pay-per-use +ledger — seed 004/);
    const help = await runCli(['prove', '--help']);
    expect(help.stdout).toMatch(/Destructive checks \(only with --destructive\):\n {2}pin: classic VERIFY CHV1 with a wrong value/);
  }, 60_000);

  it('--backend-keys in a missing directory or naming a directory: the message names the backend-keys file and what to do, not the card image', async () => {
    const seeds = join(REPO, 'profiles/example-seeds.yaml');
    const out = join(dir, 'seeds.json');
    const keys = join(dir, 'nowhere', 'keys.json');
    const r = await runCli(['personalize', seeds, '--backend-keys', keys, '-o', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${keys}: cannot create the backend-keys file: its directory ${join(dir, 'nowhere')} does not exist. Create the directory first`);
    expect(r.stderr).not.toMatch(/card image/);
    const d = await runCli(['personalize', seeds, '--backend-keys', dir, '-o', out]);
    expect(d.code).toBe(1);
    expect(d.stderr).toContain(`${dir}: is a directory, not a backend-keys file. Pass --backend-keys the path of the JSON file`);
    expect(d.stderr).not.toMatch(/EISDIR|not valid JSON/);
    expect(existsSync(out)).toBe(false);
  });

  it('an invalid profile names the file, line, field and expected form; nothing is written', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, readFileSync(example, 'utf8').replace('ki: "465b5ce8b199b49faa5f0a2ee238a6bc"', 'ki: "465b"'));
    const out = join(dir, 'bad.json');
    const r = await runCli(['personalize', bad, '-o', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`cardforge: ${bad}:9:7: auth.ki: expected 32 hex digits (16 bytes) of Ki, got "465b" (4 digits)\n`);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses to overwrite an image without --force', async () => {
    const image = join(dir, 'twice.json');
    expect((await runCli(['personalize', example, '-o', image])).code).toBe(0);
    const r = await runCli(['personalize', example, '-o', image]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/twice\.json exists; use --force to replace it/);
    expect((await runCli(['personalize', example, '-o', image, '--force'])).code).toBe(0);
  });

  it('prove on an unreadable image and with an unknown suite says what is wrong', async () => {
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"format": "cardforge-card-image", "version": 1');
    const r = await runCli(['prove', '--card', broken]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/broken\.json: not valid JSON .*truncated or corrupt/);
    const u = await runCli(['prove', '--card', broken, 'nonsense']);
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/unknown suite nonsense; suites are: pin, gsm-auth, usim-auth, aoc/);
  });
});
