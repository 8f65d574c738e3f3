/**
 * `cardforge gp`, spawned as a user runs it, against a cardforge image whose Issuer Security
 * Domain (card/applets/isd, branch gp-isd) runs the card side of SCP02/SCP03 in pure TypeScript
 * while the CLI's host side runs on node:crypto (host/gp): a session that opens proves the two
 * agree. Checked: every option error (exit 2, the option named, the image unchanged), keys never
 * echoed, `gp info` decoding the ISD's answers, `gp list` under SCP02 and SCP03 at every security
 * level, PUT KEY adding and replacing a key set (the new keys open a session, the old ones are
 * refused before EXTERNAL AUTHENTICATE), and each --json output validated against its schema.
 * The SCP and decoding paths are also checked against recorded real-card sessions in test/gp.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtCli, runCli } from './built-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { bytesToHex, hexToBytes } from '../../card/runtime/index.js';
import { kcvAes } from '../../host/gp/crypto.js';
import { ERROR_JSON, GP_CHANGE_JSON, GP_INFO_JSON, GP_LIST_JSON } from '../../host/cli/json/outputs.js';

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

describe('cardforge gp against the emulated ISD', () => {
  it('gp info --json: CPLC, card data (GP 2.3.1, SCP02 i=55 and SCP03 i=70), key information (KVN 20 DES, 30 AES)', async () => {
    const r = await runCli(['gp', 'info', '--card', image, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const info = GP_INFO_JSON.schema.parse(JSON.parse(r.stdout));
    expect(info.isd).toBe('a000000151000000');
    expect(info.cplc).toHaveLength(18);
    expect(info.cardData?.gpVersion).toBe('2.3.1');
    expect(info.cardData?.scps).toEqual([{ version: 2, i: 0x55 }, { version: 3, i: 0x70 }]);
    expect(info.keyInfo?.map((k) => `${k.version}/${k.id}/${k.type}/${k.length}`)).toEqual(expect.arrayContaining(['48/1/AES/16', '32/1/DES/16']));
    const text = await runCli(['gp', 'info', '--card', image]);
    expect(text.stdout).toContain('SCP: SCP03 i=70');
  });

  it('--isd naming an AID the card lacks: SELECT error with the SW and what to do', async () => {
    const r = await runCli(['gp', 'info', '--card', image, '--isd', 'A0000000030000']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/SELECT of the Issuer Security Domain a0000000030000 answered 6a82 .*give its AID with --isd/);
  });

  it.each([
    ['0x20', 'mac', '02'],
    ['0x20', 'mac+enc', '02'],
    ['0x30', 'mac', '03'],
    ['0x30', 'mac+enc', '03'],
    ['0x30', 'mac+rmac', '03'],
    ['0x30', 'mac+enc+rmac', '03'],
    ['0x30', 'mac+enc+rmac+renc', '03'],
  ])('gp list --kvn %s --level %s: SCP%s session, the ISD listed SECURED with its privileges', async (kvn, level, scp) => {
    const r = await runCli(['gp', 'list', '--card', image, '--kvn', kvn, '--level', level, '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const doc = GP_LIST_JSON.schema.parse(JSON.parse(r.stdout));
    expect([doc.scp, doc.level, doc.kvn]).toEqual([scp, level, Number(kvn)]);
    expect(doc.entries[0]).toMatchObject({ kind: 'isd', aid: 'a000000151000000', lifeCycleName: 'SECURED' });
    expect(doc.entries[0]!.privileges!.names).toContain('SecurityDomain');
  });

  it('SCP02 R-MAC levels are refused by name before the card is touched beyond INITIALIZE UPDATE', async () => {
    const r = await runCli(['gp', 'list', '--card', image, '--kvn', '0x20', '--level', 'mac+enc+rmac']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/SCP02 security level 13: only "mac" \(01\) and "mac\+enc" \(03\)/);
  });

  it('put-key adds key set 31 (SCP03) and replaces 21 (SCP02); new keys open sessions, old ones stop at the card cryptogram', async () => {
    const img = join(dir, 'keys.json');
    expect((await runCli(['image', 'new', '-o', img])).code).toBe(0);
    const add = await runCli(['gp', 'put-key', '--card', img, '--kvn', '0x30', '--level', 'mac+enc', '--new-kvn', '0x31', '--new-key', SECRET, '--json']);
    expect(add.code, add.stdout + add.stderr).toBe(0);
    const doc = GP_CHANGE_JSON.schema.parse(JSON.parse(add.stdout));
    // AES key check value: AES(key, 01*16), first 3 bytes (GP Amendment D §7.2), of 00112233…FF.
    expect(doc).toMatchObject({ action: 'put-key', scp: '03', newKvn: 0x31 });
    expect(doc.kcv).toEqual(Array(3).fill(bytesToHex(kcvAes(hexToBytes(SECRET))))); // what the card confirmed (putKeySet checks its echo)
    expect(add.stdout.toLowerCase()).not.toContain(SECRET);
    const withNew = await runCli(['gp', 'list', '--card', img, '--kvn', '0x31', '--key', SECRET]);
    expect(withNew.code, withNew.stderr).toBe(0);
    expect(withNew.stdout).toContain('ISD: A000000151000000 (SECURED)');
    const rep = await runCli(['gp', 'put-key', '--card', img, '--kvn', '0x20', '--new-kvn', '0x20', '--replace-kvn', '0x20', '--new-key', SECRET]);
    expect(rep.code, rep.stderr).toBe(0);
    expect(rep.stdout).toMatch(/^key set 32 written \(ENC, MAC, DEK check values ([0-9a-f]{6} ){2}[0-9a-f]{6}\)/);
    const old = await runCli(['gp', 'list', '--card', img, '--kvn', '0x20', '--json']);
    expect(old.code).toBe(1);
    expect(ERROR_JSON.schema.parse(JSON.parse(old.stdout)).error).toMatchObject({ code: 'GP_CARD_CRYPTOGRAM' });
    expect(old.stdout).toMatch(/EXTERNAL AUTHENTICATE was not sent/);
    const fresh = await runCli(['gp', 'list', '--card', img, '--kvn', '0x20', '--key', SECRET, '--level', 'mac+enc']);
    expect(fresh.code, fresh.stderr).toBe(0);
  });

  it('install, lock, unlock, delete an instance of a card load file (SCP03 mac+enc, then SCP02 mac): gp list shows each state; unlock at mac+enc+rmac+renc gets its R-MAC after 61xx (GET RESPONSE on T=1)', async () => {
    const img = join(dir, 'content.json');
    expect((await runCli(['image', 'new', '-o', img])).code).toBe(0);
    const list = async (...extra: string[]): Promise<ReturnType<typeof GP_LIST_JSON.schema.parse>> => {
      const r = await runCli(['gp', 'list', '--card', img, '--json', ...extra]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      return GP_LIST_JSON.schema.parse(JSON.parse(r.stdout));
    };
    const before = await list();
    const pkg = before.entries.find((e) => e.kind === 'loadfile' && e.modules?.length)!;
    expect(pkg.lifeCycleName).toBe('LOADED');
    const inst = 'f063617264666701aa01';
    const change = async (...args: string[]): Promise<ReturnType<typeof GP_CHANGE_JSON.schema.parse>> => {
      const r = await runCli(['gp', ...args, '--card', img, '--json']);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      return GP_CHANGE_JSON.schema.parse(JSON.parse(r.stdout));
    };
    expect(await change('install', '--package', pkg.aid, '--applet-class', pkg.modules![0]!, '--instance', inst, '--level', 'mac+enc')).toMatchObject({ action: 'install', aid: inst, scp: '03' });
    const app = (await list('--kvn', '0x20')).entries.find((e) => e.aid === inst);
    expect(app).toMatchObject({ kind: 'app', lifeCycleName: 'SELECTABLE', loadFile: pkg.aid });
    await change('lock', inst, '--kvn', '0x20');
    expect((await list()).entries.find((e) => e.aid === inst)?.lifeCycleName).toBe('LOCKED');
    await change('unlock', inst, '--level', 'mac+enc+rmac+renc');
    expect((await list()).entries.find((e) => e.aid === inst)?.lifeCycleName).toBe('SELECTABLE');
    await change('delete', inst, '--kvn', '0x20', '--level', 'mac+enc');
    expect((await list()).entries.find((e) => e.aid === inst)).toBeUndefined();
    const again = await runCli(['gp', 'delete', inst, '--card', img]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/DELETE answered 6a88/);
  });

  it('store-data to the ISD itself (BER-TLV 42, encrypted at mac+enc): gp info then reads the IIN back', async () => {
    const img = join(dir, 'iin.json');
    expect((await runCli(['image', 'new', '-o', img])).code).toBe(0);
    const r = await runCli(['gp', 'store-data', 'A000000151000000', '420489001234', '--format', 'ber', '--level', 'mac+enc', '--card', img, '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(GP_CHANGE_JSON.schema.parse(JSON.parse(r.stdout))).toMatchObject({ action: 'store-data', blocks: 1, aid: 'a000000151000000' });
    const info = GP_INFO_JSON.schema.parse(JSON.parse((await runCli(['gp', 'info', '--card', img, '--json'])).stdout));
    expect(info.iin).toBe('89001234');
  });

  it('gp list --record: trace show of the emulator\'s own session names the GP commands and labels the secure-channel fields', async () => {
    const trace = join(dir, 'gp.jsonl');
    const r = await runCli(['gp', 'list', '--card', image, '--kvn', '0x30', '--level', 'mac+enc', '--record', trace]);
    expect(r.code, r.stderr).toBe(0);
    const shown = await runCli(['trace', 'show', trace]);
    expect(shown.code, shown.stderr).toBe(0);
    for (const s of ['(INITIALIZE_UPDATE)', 'host_challenge:', 'key version number: 30 (48)', 'SCP identifier: 03 (SCP03)', 'i parameter: 70', 'card challenge:', 'card cryptogram:', '(EXTERNAL_AUTHENTICATE)', 'P1=03 (C-DECRYPTION and C-MAC)', 'host_cryptogram:', 'c_mac:', '(GET_STATUS)', 'C-MAC: ']) expect(shown.stdout).toContain(s);
  });

  it('gp list without --key says it uses the well-known test key, without printing a key', async () => {
    const r = await runCli(['gp', 'list', '--card', image, '--kvn', '0x30']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/using the well-known GlobalPlatform test key \(404142…4F\)/);
    expect(`${r.stdout}${r.stderr}`.toLowerCase()).not.toContain('404142434445464748494a4b4c4d4e4f');
  });

  it('--help lists the subcommands and the key options', async () => {
    const r = await runCli(['gp', 'list', '--help']);
    expect(r.code).toBe(0);
    for (const o of ['--key <hex>', '--enc <hex>', '--kvn <n>', '--scp <version>', '--level <level>', '--diversify <scheme>', '--card <image>', '--reader <name|index>']) expect(r.stdout).toContain(o);
    const top = await runCli(['gp', '--help']);
    for (const c of ['info', 'list', 'install', 'delete', 'lock', 'unlock', 'put-key', 'store-data']) expect(top.stdout).toMatch(new RegExp(`\\n  ${c}\\b`));
  });
});
