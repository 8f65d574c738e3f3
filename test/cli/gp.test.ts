/**
 * `cardforge gp`, spawned as a user runs it. Until the card's Issuer Security Domain lands (branch
 * gp-isd), the card side here is a cardforge image without one: what is checked is every option
 * error (exit 2, the option named, nothing sent, the image unchanged), that no key ever shows up
 * in output, and that `gp info` / `gp list` on a card without a security domain fail with a
 * clear SELECT error (as text and as the documented JSON error). The SCP and decoding paths are
 * checked against recorded real-card sessions in test/gp.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtCli, runCli } from './built-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { ERROR_JSON } from '../../host/cli/json/outputs.js';

let dir: string;
let image: string;
beforeAll(async () => {
  builtCli();
  dir = tempDir('cf-gp-');
  image = join(dir, 'card.json');
  const r = await runCli(['image', 'new', '-o', image]);
  expect(r.code, r.stderr).toBe(0);
});

const SECRET = '00112233445566778899aabbccddeeff';

describe('cardforge gp: option errors are usage errors naming the option; nothing reaches the card', () => {
  it.each([
    [['gp', 'list', '--level', 'max'], /--level: unknown security level "max"; expected one of mac, mac\+enc/],
    [['gp', 'list', '--scp', '01'], /--scp: expected 02, 03 or auto, got "01"/],
    [['gp', 'list', '--diversify', 'kdf9'], /--diversify: expected one of none, emv, visa2/],
    [['gp', 'list', '--key', '0011223344'], /--key: expected 16, 24 or 32 bytes \(32, 48 or 64 hex digits\), got 5 bytes/],
    [['gp', 'list', '--key', 'zz112233445566778899aabbccddeeff'], /--key: expected a key in hex/],
    [['gp', 'list', '--enc', SECRET], /--mac is missing: give --enc, --mac and --dek together/],
    [['gp', 'list', '--kvn', '300'], /--kvn: expected a number 0\.\.127/],
    [['gp', 'list', '--diversify', 'emv', '--enc', SECRET, '--mac', SECRET, '--dek', SECRET], /--diversify emv derives ENC, MAC and DEK from one master key/],
    [['gp', 'delete', 'A0'], /AID: expected an AID of 5 to 16 bytes/],
    [['gp', 'install', '--package', 'F06361726466', '--applet-class', 'F0636172646601', '--instance', 'F063'], /--instance: expected an AID/],
    [['gp', 'install', '--package', 'F06361726466', '--applet-class', 'F0636172646601', '--instance', 'F063617264660101', '--privileges', 'Root'], /--privileges: unknown privilege "Root"/],
    [['gp', 'put-key', '--new-kvn', '0', '--new-key', SECRET], /--new-kvn: expected a number 1\.\.127/],
    [['gp', 'put-key', '--new-kvn', '0x31'], /give the new keys: --new-key/],
    [['gp', 'put-key', '--new-kvn', '0x31', '--new-enc', SECRET], /--new-mac is missing/],
    [['gp', 'store-data', 'F063617264660101', '0x12'], /DATA: expected bytes in hex/],
    [['gp', 'store-data', 'F063617264660101', '8001', '--format', 'xml'], /--format: expected one of none, dgi, ber/],
  ])('%j', async (args, message) => {
    const before = readFileSync(image, 'utf8');
    const r = await runCli([...args, '--card', image]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(`${r.stdout}${r.stderr}`.toLowerCase()).not.toContain(SECRET); // a key is never echoed
    expect(readFileSync(image, 'utf8')).toBe(before);
  });

  it('under --json an option error is the documented error document, code USAGE', async () => {
    const r = await runCli(['gp', 'list', '--card', image, '--json', '--key', `${SECRET}00`]);
    expect(r.code).toBe(2);
    const doc = ERROR_JSON.schema.parse(JSON.parse(r.stdout));
    expect(doc.error.code).toBe('USAGE');
    expect(doc.error.message).toMatch(/--key: expected 16, 24 or 32 bytes/);
    expect(r.stdout.toLowerCase()).not.toContain(SECRET);
  });

  it('a missing target is named', async () => {
    const r = await runCli(['gp', 'info']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--card IMAGE or --reader NAME/);
  });
});

describe('cardforge gp on a card without a security domain', () => {
  it('gp info: SELECT of the ISD fails with the AIDs tried, the SW and what to do', async () => {
    const r = await runCli(['gp', 'info', '--card', image]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/SELECT of the Issuer Security Domain \(a000000151000000, a0000001510000, a000000003000000\) answered 6a82/);
    expect(r.stderr).toMatch(/give its AID with --isd/);
  });

  it('gp list --json: the error document with code GP_CARD_REFUSED; the key given is not in it', async () => {
    const r = await runCli(['gp', 'list', '--card', image, '--json', '--key', SECRET]);
    expect(r.code).toBe(1);
    const doc = ERROR_JSON.schema.parse(JSON.parse(r.stdout));
    expect(doc.error.code).toBe('GP_CARD_REFUSED');
    expect(r.stdout.toLowerCase()).not.toContain(SECRET);
  });

  it('gp list without --key says it uses the well-known test key, without printing a key', async () => {
    const r = await runCli(['gp', 'list', '--card', image]);
    expect(r.stderr).toMatch(/using the well-known GlobalPlatform test key \(404142…4F\)/);
    expect(r.stderr.toLowerCase()).not.toContain('404142434445464748494a4b4c4d4e4f');
  });

  it('--help lists the subcommands and the key options', async () => {
    const r = await runCli(['gp', 'list', '--help']);
    expect(r.code).toBe(0);
    for (const o of ['--key <hex>', '--enc <hex>', '--kvn <n>', '--scp <version>', '--level <level>', '--diversify <scheme>', '--card <image>', '--reader <name|index>']) expect(r.stdout).toContain(o);
    const top = await runCli(['gp', '--help']);
    for (const c of ['info', 'list', 'install', 'delete', 'lock', 'unlock', 'put-key', 'store-data']) expect(top.stdout).toMatch(new RegExp(`\\n  ${c}\\b`));
  });
});
