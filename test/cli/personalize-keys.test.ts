/**
 * Issue 19, items 2 and 9, as a user meets them (spawned CLI, real files):
 * - a profile with an unquoted number or a non-hex character is refused with file, line, field
 *   and what to write, exit 1, and nothing is written;
 * - `personalize --backend-keys FILE` with the bundled seeds profile makes a working setup (the
 *   ledger suite passes against the card with that back end, and fails with another); a refused
 *   run leaves neither the keys file nor the image behind;
 * - `profile keys` prints the back end's public keys (never a secret), and whether a profile's match;
 * - a refused ADM says how to present the key by hand, without the key.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtCli, runCli, REPO } from './built-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { PERSONALIZE_JSON, PROFILE_KEYS_JSON, ERROR_JSON } from '../../host/cli/json/outputs.js';
import { actorsFrom, demoSecrets } from '../../host/backend/actors.js';
import { bytesToHex } from '../../card/runtime/index.js';

let dir: string;
const seeds = join(REPO, 'profiles/example-seeds.yaml');
const sim = join(REPO, 'profiles/example-sim.yaml');
const SEEDS = readFileSync(seeds, 'utf8');
const demo = actorsFrom(demoSecrets());
beforeAll(() => {
  dir = tempDir('cf-perso-keys-');
  builtCli(); // compiles the CLI once (slow on a shared machine): not part of the first test's time
}, 300_000);

describe('profile: unquoted numbers and non-hex characters (CLI)', () => {
  it('an unquoted ICCID / IMSI is refused with the quoted form, exit 1, no image written', async () => {
    const p = join(dir, 'unquoted.yaml');
    writeFileSync(p, SEEDS.replace('iccid: "8949000000000000001"', 'iccid: 8949000000000000001').replace('imsi: "001010123456789"', 'imsi: 001010123456789'));
    const out = join(dir, 'unquoted.json');
    const r = await runCli(['personalize', p, '--backend-keys', 'demo', '-o', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${p}:7:8: iccid: 8949000000000000001 is a number in YAML; quote it: iccid: "8949000000000000001"`);
    expect(r.stderr).toContain(`${p}:8:7: imsi: 001010123456789 is a number in YAML; quote it: imsi: "001010123456789"`);
    expect(existsSync(out)).toBe(false);
    const j = await runCli(['personalize', p, '--backend-keys', 'demo', '-o', out, '--json']);
    expect(j.code).toBe(1);
    const e = ERROR_JSON.schema.parse(JSON.parse(j.stdout));
    expect(e.error.code).toBe('PROFILE_INVALID');
    expect(e.error.message).toContain('quote it');
  });

  it('a non-hex character in a key is named with its column and the file line; a new keys file is not created', async () => {
    const p = join(dir, 'nonhex.yaml');
    writeFileSync(p, SEEDS.replace('mac_key: "2b7e151628aed2a6abf7158809cf4f3c"', 'mac_key: "2b7e151628aed2a6abf71588O9cf4f3c"'));
    const keys = join(dir, 'nonhex-keys.json');
    const r = await runCli(['personalize', p, '--backend-keys', keys, '-o', join(dir, 'nonhex.json')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nonhex\.yaml:\d+:\d+: payment\.mac_key: expected 32 hex digits \(16 bytes\) of the AES-128 MAC key; "O" at column 25 is not a hex digit/);
    expect(existsSync(keys)).toBe(false);
  });
});

describe('personalize --backend-keys FILE with the seeds profile', () => {
  it('creates the keys file and a card that works with that back end (ledger suite passes), and not with another', async () => {
    const keys = join(dir, 'keys.json');
    const card = join(dir, 'seeds.json');
    const r = await runCli(['personalize', seeds, '--backend-keys', keys, '-o', card, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = PERSONALIZE_JSON.schema.parse(JSON.parse(r.stdout));
    expect(j).toMatchObject({ mode: 'image', image: card, imsi: '001010123456789', applets: ['e-wallet', 'payment', 'prepaid ledger'], backendKeys: { source: 'file', file: keys, created: true } });
    expect(r.stderr).toContain(`created ${keys}`);
    expect(existsSync(keys)).toBe(true);
    const ok = await runCli(['prove', '--card', card, '--no-save', '--profile', seeds, '--backend-keys', keys, '--destructive', 'ledger']);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/checks ran: \d+ passed, 0 failed/);
    const wrong = await runCli(['prove', '--card', card, '--no-save', '--profile', seeds, '--backend-keys', 'demo', '--destructive', 'ledger']);
    expect(wrong.code).toBe(1);
    // A second run reuses the file (not re-created).
    const again = await runCli(['personalize', seeds, '--backend-keys', keys, '-o', card, '--force']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toContain('created');
  }, 60_000);

  it('a profile pinning other keys is refused before anything is written: no keys file, no image', async () => {
    const pinned = join(dir, 'pinned.yaml');
    writeFileSync(pinned, SEEDS.replace('  consent:', `  issuer_key: "${bytesToHex(demo.ledgerIssuer.publicKey)}"\n  consent:`));
    const keys = join(dir, 'pinned-keys.json');
    const out = join(dir, 'pinned.json');
    const r = await runCli(['personalize', pinned, '--backend-keys', keys, '-o', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/pinned\.yaml:\d+:\d+: ledger\.issuer_key: does not match the ledger issuer in the backend keys/);
    expect(existsSync(keys)).toBe(false);
    expect(existsSync(out)).toBe(false);
    // With the back end it pins, the same profile works.
    expect((await runCli(['personalize', pinned, '--backend-keys', 'demo', '-o', out])).code).toBe(0);
  });

  it('an image that cannot be written removes the keys file this run created', async () => {
    const keys = join(dir, 'unsaved-keys.json');
    const r = await runCli(['personalize', seeds, '--backend-keys', keys, '-o', join(dir, 'no-such-dir', 'card.json')]);
    expect(r.code).toBe(1);
    expect(existsSync(keys)).toBe(false);
  });
});

describe('profile keys', () => {
  it('prints the public keys as profile lines, says whether the profile has them, prints no secret', async () => {
    const r = await runCli(['profile', 'keys', seeds, '--backend-keys', 'demo']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`  issuer_key: "${bytesToHex(demo.ledgerIssuer.publicKey)}"   # not in the profile: taken from --backend-keys`);
    expect(r.stdout).toContain(`  editor_root_key: "${bytesToHex(demo.editorRoot.publicKey)}"`);
    expect(r.stdout).toContain(`  server_key: "${bytesToHex(demo.ledgerServerKey.publicKey)}"`);
    expect(r.stdout).toContain(bytesToHex(demo.paymentIssuer.publicKey));
    for (const s of Object.values(demoSecrets())) expect(r.stdout).not.toContain(bytesToHex(s));
    // The printed lines, pasted into the profile, pin it: personalize accepts them with that back end.
    const pinned = join(dir, 'pasted.yaml');
    const ledgerPart = /^ledger:\n((?: {2}.*\n)+)/m.exec(r.stdout)?.[1] ?? '';
    const lines = ledgerPart.split('\n').filter((l) => /^ {2}(editor_root_key|issuer_key|server_key): /.test(l)).map((l) => l.replace(/ {3}#.*$/, ''));
    expect(lines).toHaveLength(3);
    // The wallet's issuer key is printed under its own section.
    expect(r.stdout).toMatch(new RegExp(`^wallet:\n  issuer_key: "${bytesToHex(demo.walletIssuer!.publicKey)}"`, 'm'));
    writeFileSync(pinned, SEEDS.replace('  consent:', `${lines.join('\n')}\n  consent:`));
    const m = await runCli(['profile', 'keys', pinned, '--backend-keys', 'demo', '--json']);
    expect(m.code, m.stderr).toBe(0);
    const j = PROFILE_KEYS_JSON.schema.parse(JSON.parse(m.stdout));
    expect(j.keys.filter((k) => k.field.startsWith('ledger.')).map((k) => k.profile)).toEqual(['matches', 'matches', 'matches']);
    expect(JSON.stringify(j)).not.toContain(bytesToHex(demoSecrets().ledger_issuer));
    expect((await runCli(['personalize', pinned, '--backend-keys', 'demo', '-o', join(dir, 'pasted.json')])).code).toBe(0);
    const other = await runCli(['profile', 'keys', pinned, '--backend-keys', join(dir, 'other-keys.json'), '--create']);
    expect(other.code, other.stderr).toBe(0);
    expect(other.stdout).toMatch(/issuer_key: "04[0-9a-f]{128}" {3}# the profile has ANOTHER key/);
  });

  it('a missing keys file without --create is refused, and nothing is created; a profile without payment/ledger/wallet needs no keys', async () => {
    const keys = join(dir, 'absent.json');
    const r = await runCli(['profile', 'keys', '--backend-keys', keys]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${keys}: no such backend-keys file`);
    expect(existsSync(keys)).toBe(false);
    const s = await runCli(['profile', 'keys', sim, '--backend-keys', 'demo']);
    expect(s.stdout).toMatch(/has no payment, ledger or wallet section: it needs no back-end keys/);
  });
});

describe('a refused ADM', () => {
  it('says how to present ADM1 by hand, with a placeholder, never the key; a keys file created for the run is removed', async () => {
    const blank = join(dir, 'blank.json');
    expect((await runCli(['image', 'new', '--sim-blank', '--adm', '11112222', '--with', 'wallet,payment,ledger', '-o', blank])).code).toBe(0);
    const keys = join(dir, 'adm-keys.json');
    const r = await runCli(['personalize', seeds, '--card', blank, '--backend-keys', keys]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('wrong ADM1 key (63C2): 2 tries left');
    expect(r.stderr).toContain(`to present ADM1 by hand: cardforge send --card ${JSON.stringify(blank)} "00 20 00 0A 08 <ADM1 as 16 hex digits`);
    // Neither the profile's ADM1 (12345678) nor the card's (11112222), in any form.
    for (const s of ['12345678', '3132333435363738', '11112222', '3131313132323232']) expect(r.stderr + r.stdout).not.toContain(s);
    expect(existsSync(keys)).toBe(false);
    const j = await runCli(['personalize', seeds, '--card', blank, '--backend-keys', 'demo', '--adm', '99999999', '--json']);
    expect(j.code).toBe(1);
    expect(ERROR_JSON.schema.parse(JSON.parse(j.stdout)).error).toMatchObject({ code: 'ADM_WRONG' });
    expect(j.stdout).toContain('cardforge send --card');
    expect(j.stdout).not.toContain('99999999');
    // One try left: cardforge does not present it, and says how to do it by hand.
    const last = await runCli(['personalize', seeds, '--card', blank, '--backend-keys', 'demo', '--adm', '99999999']);
    expect(last.stderr).toMatch(/will not spend the last try.*\. To present ADM1 by hand: cardforge send --card/);
    // With the right key (another blank card) the run completes; the keys file is created and kept.
    const fresh = join(dir, 'blank-ok.json');
    expect((await runCli(['image', 'new', '--sim-blank', '--adm', '11112222', '--with', 'wallet,payment,ledger', '-o', fresh])).code).toBe(0);
    const ok = await runCli(['personalize', seeds, '--card', fresh, '--backend-keys', keys, '--adm', '11112222', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(PERSONALIZE_JSON.schema.parse(JSON.parse(ok.stdout))).toMatchObject({ mode: 'card', imsi: '001010123456789', applets: ['e-wallet', 'payment', 'prepaid ledger'], backendKeys: { source: 'file', file: keys, created: true } });
    expect(existsSync(keys)).toBe(true);
  }, 60_000);

  it('--dry-run --json: the masked script, schema-valid, no secret', async () => {
    const r = await runCli(['personalize', seeds, '--dry-run', '--backend-keys', 'demo', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = PERSONALIZE_JSON.schema.parse(JSON.parse(r.stdout));
    if (j.mode !== 'dry-run') throw new Error('expected the dry-run shape');
    expect(j.steps.find((s) => s.label === 'VERIFY ADM1')!.command).toBe(`0020000a08${'*'.repeat(16)}`);
    expect(j.notes.join('\n')).toMatch(/ledger issuer certifies/);
    for (const s of ['465b5ce8b199b49faa5f0a2ee238a6bc', 'cd63cb71954a9f4e48a5994e37a02baf', '3132333435363738', '32343638', '2b7e151628aed2a6abf7158809cf4f3c']) expect(r.stdout).not.toContain(s);
  });
});
