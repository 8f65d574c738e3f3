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

let dir: string;
const seeds = join(REPO, 'profiles/example-seeds.yaml');
beforeAll(() => {
  dir = tempDir('cf-perso-seeds-');
});
const persistent = (f: string): Record<string, string> => imageCells(JSON.parse(readFileSync(f, 'utf8')));

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
    expect(r.stderr).toMatch(/PERSO_STORE_DATA wallet block 0 \(last/);
    expect(r.stderr).toMatch(/PERSO_STORE_DATA payment block 2 \(last/);
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
    const before = readFileSync(blank, 'utf8');
    r = await runCli(['personalize', seeds, '--card', blank, '--backend-keys', 'demo']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/already personalized/);
    expect(readFileSync(blank, 'utf8')).toBe(before);
  }, 120_000);

  it('--dry-run with --backend-keys demo prints the payment and ledger blocks with no code, credential or MAC key', async () => {
    const r = await runCli(['personalize', seeds, '--dry-run', '--backend-keys', 'demo']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/SELECT payment applet by AID/);
    expect(r.stdout).toMatch(/# then the ledger issuer certifies/);
    const utf = (s: string): string => Buffer.from(s).toString('hex');
    for (const s of [utf('2468'), utf('13572468'), utf('opensesame'), '2b7e151628aed2a6abf7158809cf4f3c']) expect(r.stdout.toLowerCase()).not.toContain(s);
    expect(r.stdout).toMatch(/C204\*{8}C308\*{16}C410\*{32}/);
  }, 60_000);
});
