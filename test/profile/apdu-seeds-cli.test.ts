/**
 * The seeds profile written over APDUs as a user does it (spawned CLI, real files; issue 8):
 * `image new --sim-blank --with wallet,payment,ledger --layout`, `personalize --card --backend-keys demo`,
 * then `prove --card` passes the wallet, payment and ledger suites on that card (guards the CLI
 * wiring of the wallet/payment/ledger blocks and of the certification after them); the offline `-o` image has the
 * same cells; --dry-run prints no code or key; a second run is refused; without --backend-keys
 * the run stops before sending anything.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, REPO } from '../cli/built-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { imageCells } from '../helpers/image-cells.js';
import { writeFileSync } from 'node:fs';
import { ERROR_JSON, PERSONALIZE_JSON } from '../../host/cli/json/outputs.js';

let dir: string;
const seeds = join(REPO, 'profiles/example-seeds.yaml');
beforeAll(() => {
  dir = tempDir('cf-perso-seeds-');
});
const persistent = (f: string): Record<string, string> => imageCells(JSON.parse(readFileSync(f, 'utf8')));
/** The image's cells with the ISD's SCP03 card challenge counter set aside (every INITIALIZE UPDATE moves it, as on a real card) and returned apart. */
const cellsBesideCounter = (f: string): { cells: Record<string, string>; counter: string | undefined } => {
  const cells = persistent(f);
  const key = 'a000000003000000/scp03-counter';
  const counter = cells[key];
  delete cells[key];
  return { cells, counter };
};

describe('cardforge personalize --card of a blank card with the payment and ledger applets', () => {
  it('image new --with wallet,payment,ledger, personalize --card, prove wallet payment ledger passes; same cells as -o; second run refused', async () => {
    const blank = join(dir, 'blank.json');
    const offline = join(dir, 'offline.json');
    const admOf = /adm1:\s*"?([0-9a-fA-F]+)"?/.exec(readFileSync(seeds, 'utf8'))![1]!;
    let r = await runCli(['image', 'new', '--sim-blank', '--adm', admOf, '--with', 'wallet,payment,ledger', '--layout', seeds, '-o', blank]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/blank both SIM .* \+ blank wallet \+ blank payment \+ blank ledger/);
    const bad = await runCli(['image', 'new', '--sim-blank', '--with', 'wallet,purse', '-o', join(dir, 'bad.json')]);
    expect([bad.code, bad.stderr.trim()]).toEqual([2, expect.stringMatching(/--with expected wallet, payment and\/or ledger, got "purse"/)]);
    expect(existsSync(join(dir, 'bad.json'))).toBe(false);
    r = await runCli(['personalize', seeds, '--card', blank]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--backend-keys/);
    expect(Object.values(persistent(blank)).join('')).not.toContain('0102030405060708');
    r = await runCli(['personalize', seeds, '--card', blank, '--backend-keys', 'demo']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\+ e-wallet \+ payment \+ prepaid ledger/);
    // Through the Issuer Security Domain, with the test keys by default, said so (issue 21).
    expect(r.stdout).toMatch(/applets personalized through the ISD \(SCP03, key version 30, the well-known test keys 404142…4F: the profile has no isd: section\)/);
    expect(r.stderr).toMatch(/INITIALIZE UPDATE \+ EXTERNAL AUTHENTICATE: SCP03, key version 30, C-MAC/);
    expect(r.stderr).toMatch(/INSTALL \[for personalization\] payment/);
    expect(r.stderr).toMatch(/STORE DATA wallet block 0 \(last/);
    expect(r.stderr).toMatch(/STORE DATA payment block 3 \(last/);
    r = await runCli(['prove', '--card', blank, '--profile', seeds, '--backend-keys', 'demo', '--destructive', 'wallet', 'payment', 'ledger']);
    expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
    expect(r.stdout).not.toMatch(/\s(fail|skip)\b/);
    expect(r.stdout).toMatch(/\d+ checks ran: \d+ passed, 0 failed; 0 skipped/);
    // The offline image: the same cells; the generated keys, the certificates and what the proof
    // changed (counters, balance, log) differ by design (other RNG, the suites ran on this one).
    expect((await runCli(['personalize', seeds, '--backend-keys', 'demo', '-o', offline])).code).toBe(0);
    expect(Object.keys(persistent(blank)).sort()).toEqual(Object.keys(persistent(offline)).sort());
    const on = persistent(blank);
    const off = persistent(offline);
    for (const k of ['f0636172646667030001/cardId', 'f0636172646667030001/issuer.public', 'f0636172646667040001/issuerKey', 'f0636172646667040001/serverKey', 'f0636172646667030001/perso.blank', 'f0636172646667040001/perso.blank',
      'f0636172646667050001/walletId', 'f0636172646667050001/imsiHash', 'f0636172646667050001/issuerKey', 'f0636172646667050001/threshold', 'f0636172646667050001/perso.blank']) expect(on[k], k).toBe(off[k]);
    const before = cellsBesideCounter(blank);
    r = await runCli(['personalize', seeds, '--card', blank, '--backend-keys', 'demo']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/already personalized/);
    // Nothing written but the ISD session's counter (its INITIALIZE UPDATE comes first).
    const after = cellsBesideCounter(blank);
    expect(after.cells).toEqual(before.cells);
    expect(parseInt(after.counter!, 16)).toBe(parseInt(before.counter!, 16) + 1);
  }, 120_000);

  it('--dry-run with --backend-keys demo prints the payment and ledger blocks with no code, credential or MAC key', async () => {
    const r = await runCli(['personalize', seeds, '--dry-run', '--backend-keys', 'demo']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/SELECT Issuer Security Domain by AID/);
    expect(r.stdout).toMatch(/INSTALL \[for personalization\] payment/);
    expect(r.stdout).toMatch(/# then the ledger issuer certifies/);
    const utf = (s: string): string => Buffer.from(s).toString('hex');
    for (const s of [utf('2468'), utf('13572468'), utf('opensesame'), '2b7e151628aed2a6abf7158809cf4f3c']) expect(r.stdout.toLowerCase()).not.toContain(s);
    expect(r.stdout).toMatch(/81C210\*{32}81C310\*{32}81C420\*{64}/);
  }, 60_000);

  it('the profile\'s isd: keys open the session: wrong ones stop before any applet block (ISD_SESSION, card unchanged, no authentication try spent); --json names the ISD session', async () => {
    const blank = join(dir, 'blank-isd.json');
    const admOf = /adm1:\s*"?([0-9a-fA-F]+)"?/.exec(readFileSync(seeds, 'utf8'))![1]!;
    expect((await runCli(['image', 'new', '--sim-blank', '--adm', admOf, '--with', 'wallet,payment,ledger', '--layout', seeds, '-o', blank])).code).toBe(0);
    const wrong = join(dir, 'seeds-wrong-isd.yaml');
    writeFileSync(wrong, `${readFileSync(seeds, 'utf8')}\nisd:\n  scp: "03"\n  key: "00112233445566778899aabbccddeeff"\n`);
    const applets = (f: string): string => JSON.stringify(Object.entries(persistent(f)).filter(([k]) => /^f06361726466670[345]0001\//.test(k)));
    const before = applets(blank);
    const beforeFile = cellsBesideCounter(blank);
    let r = await runCli(['personalize', wrong, '--card', blank, '--backend-keys', 'demo', '--json']);
    expect(r.code).toBe(1);
    // Wrong ISD keys: stopped before the SIM script; nothing written but the counter of the refused INITIALIZE UPDATE.
    expect(cellsBesideCounter(blank).cells).toEqual(beforeFile.cells);
    expect(cellsBesideCounter(blank).counter).toBe('000001');
    const err = ERROR_JSON.schema.parse(JSON.parse(r.stdout));
    expect(err.error.message).toMatch(/card cryptogram does not match.*EXTERNAL AUTHENTICATE was not sent.*give the card's ISD keys in the profile's isd: section/);
    expect(applets(blank)).toBe(before);
    const tries = Object.entries(persistent(blank)).find(([k]) => /^a000000003000000\/tries$/.test(k));
    expect(tries?.[1]).toBe('0a');
    // A bad isd: field is a profile error naming file:line:col, the field and what to write.
    const bad = join(dir, 'seeds-bad-isd.yaml');
    writeFileSync(bad, `${readFileSync(seeds, 'utf8')}\nisd:\n  key: "0011"\n  mac: "00112233445566778899aabbccddeeff"\n`);
    r = await runCli(['personalize', bad, '--dry-run', '--backend-keys', 'demo']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/seeds-bad-isd\.yaml:\d+:\d+.*isd\.key/);
    r = await runCli(['personalize', seeds, '--card', blank, '--backend-keys', 'demo', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(PERSONALIZE_JSON.schema.parse(JSON.parse(r.stdout))).toMatchObject({ mode: 'card', isd: { scp: '03', kvn: 0x30, defaultTestKeys: true } });
    expect(applets(blank)).not.toBe(before);
  }, 60_000);
});
