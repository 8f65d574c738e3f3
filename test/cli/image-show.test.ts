/**
 * `cardforge image show` as a user runs it (spawned CLI, real files): a fresh image, a
 * personalized one (PIN counters, files decoded by their codecs, ledger and payment state), the
 * same after PIN failures and a USIM AUTHENTICATE (counters and SQN array changed), an encrypted
 * image, a corrupt one; no secret of the image ever appears, in text or JSON; the JSON matches its
 * schema and is stable (same image, same JSON).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtCli, runCli, REPO } from './built-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { IMAGE_SHOW_JSON, IMAGE_NEW_JSON, ERROR_JSON } from '../../host/cli/json/outputs.js';
import { generateAuthVector, milenageAka, sqnToBytes } from '../../card/algorithms/index.js';
import { bytesToHex, hexToBytes } from '../../card/runtime/index.js';
import { USIM_AID } from '../../card/applets/sim/index.js';

let dir: string;
const seeds = join(REPO, 'profiles/example-seeds.yaml');
const KI = '465b5ce8b199b49faa5f0a2ee238a6bc';
const OPC = 'cd63cb71954a9f4e48a5994e37a02baf';
const ascii = (s: string): string => bytesToHex(new TextEncoder().encode(s));
const pinField = (s: string): string => ascii(s).padEnd(16, 'f');

beforeAll(() => {
  dir = tempDir('cf-image-show-');
  builtCli();
}, 300_000);

/** Every secret the image holds: keys, PIN/code/credential values, private keys (hex, and the padding stripped). */
function secretsOf(imageFile: string): string[] {
  const img = JSON.parse(readFileSync(imageFile, 'utf8')) as { applets: { fields: Record<string, string> }[] };
  const out = new Set<string>();
  for (const a of img.applets) {
    for (const [name, hex] of Object.entries(a.fields)) {
      if (!/(^|\/)(ki|opc)$|\/value$|(^|[./])(mac|cardNumber)\.key$|private|^privateKey$/i.test(name)) continue;
      const core = hex.replace(/(ff)+$/, '').replace(/^(00)+|(00)+$/g, '');
      if (core.length >= 8) out.add(core);
    }
  }
  return [...out];
}

function expectNoSecrets(text: string, secrets: readonly string[]): void {
  const t = text.toLowerCase();
  for (const s of secrets) expect(t, `secret ${s.slice(0, 6)}… shown`).not.toContain(s);
}

describe('cardforge image show', () => {
  it('a fresh loopback image: its applet listed with cell names and sizes only', async () => {
    const img = join(dir, 'loop.json');
    const n = await runCli(['image', 'new', '-o', img, '--json']);
    expect(n.code, n.stderr).toBe(0);
    expect(IMAGE_NEW_JSON.schema.parse(JSON.parse(n.stdout))).toMatchObject({ image: img, kind: 'loopback' });
    const r = await runCli(['image', 'show', img]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^applet cardforge\.loopback [0-9A-F]+ \(default\)$/m);
  });

  it('a personalized card, then PIN failures and an AUTHENTICATE: counters and the SQN array change; no secret shown; JSON valid and stable', async () => {
    const img = join(dir, 'seeds.json');
    expect((await runCli(['personalize', seeds, '--backend-keys', 'demo', '-o', img])).code).toBe(0);
    const secrets = secretsOf(img);
    expect(secrets).toEqual(expect.arrayContaining([KI, OPC, ascii('1234'), ascii('12345678'), ascii('opensesame')]));
    let r = await runCli(['image', 'show', img]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ {4}PIN1 \(CHV1\): 3\/3 tries left$/m);
    expect(r.stdout).toMatch(/^ {4}PUK1 \(UNBLOCK CHV1\): 10\/10 tries left$/m);
    expect(r.stdout).toMatch(/^ {4}ADM1: 3\/3 tries left$/m);
    expect(r.stdout).toMatch(/SQN \(IND 5 bits\): none accepted yet/);
    expect(r.stdout).toMatch(/AoC: ACM 0 units, ACMmax 1000, PUCT EUR/);
    expect(r.stdout).toMatch(/3F00\/2FE2 EF_ICCID \(transparent, 10 bytes\): ICCID 8949000000000000001/);
    expect(r.stdout).toMatch(/3F00\/7FFF\/6F07 EF_IMSI \(transparent, 9 bytes\): IMSI 001010123456789/);
    expect(r.stdout).toMatch(/EF_Keys \(transparent, 33 bytes\): KSI 7 \(no keys\); CK, IK not shown/);
    expect(r.stdout).toMatch(/prepaid ledger, card 0102030405060708, currency 978\n {2}balance 1000 of max 10000/);
    expect(r.stdout).toMatch(/payment card 0102030405060708: 0 signatures; certificate stored/);
    expect(r.stdout).toMatch(/user 0 "alice": credential 3\/3 tries left/);
    expectNoSecrets(r.stdout + r.stderr, secrets);
    const j1 = await runCli(['image', 'show', img, '--json']);
    expect(j1.code, j1.stderr).toBe(0);
    const v1 = IMAGE_SHOW_JSON.schema.parse(JSON.parse(j1.stdout));
    expectNoSecrets(j1.stdout, secrets);
    expect((await runCli(['image', 'show', img, '--json'])).stdout).toBe(j1.stdout); // stable: diffable

    // Two wrong PIN2s, PIN1 right, then AUTHENTICATE with a vector of SQN 64 (SEQ 2, IND 0).
    const v = generateAuthVector(milenageAka(hexToBytes(KI), hexToBytes(OPC)), hexToBytes('c00d603103dcee52c4478119494202e8'), sqnToBytes(64), hexToBytes('8000'));
    const s = await runCli(['send', '--card', img, `00a4040410${USIM_AID}`, `0020008108${pinField('0000')}`, `0020008108${pinField('0000')}`, `0020000108${pinField('1234')}`, `008800812210${bytesToHex(v.rand)}10${bytesToHex(v.autn)}`]);
    expect(s.code, s.stdout + s.stderr).toBe(0);
    expect(s.stdout).toMatch(/63C1/i);
    r = await runCli(['image', 'show', img, '--no-files']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ {4}PIN2 \(CHV2\): 1\/3 tries left$/m);
    expect(r.stdout).toMatch(/^ {4}PIN1 \(CHV1\): 3\/3 tries left$/m);
    expect(r.stdout).toMatch(/SQN \(IND 5 bits\): highest 000000000040 \(SEQ 2, IND 0\)\n {4}SEQ by IND: 0:2/);
    expect(r.stdout).not.toMatch(/files \(/);
    const v2 = IMAGE_SHOW_JSON.schema.parse(JSON.parse((await runCli(['image', 'show', img, '--json'])).stdout));
    const sim = (x: typeof v1) => x.applets.find((a) => a.sim)!.sim!;
    expect(sim(v2).pins.find((p) => p.name.startsWith('PIN2'))).toMatchObject({ triesLeft: 1, maxTries: 3, blocked: false });
    expect(sim(v2).sqn.highest).toEqual({ sqn: '000000000040', seq: 2, ind: 0 });
    expect(sim(v1).sqn.highest).toBeNull();
    // The ME's session keys are cipher keys too: CK/IK of this AUTHENTICATE never shown.
    expectNoSecrets(r.stdout, [bytesToHex(v.ck), bytesToHex(v.ik)]);

    const l = await runCli(['image', 'show', img, '--applet', 'ledger', '--json']);
    const lv = IMAGE_SHOW_JSON.schema.parse(JSON.parse(l.stdout));
    expect(lv.applets.map((a) => a.type)).toEqual(['cardforge.ledger']);
    expect(lv.applets[0]!.ledger).toMatchObject({ mode: 'prepaid', balance: 1000, maxBalance: 10000, transactions: 0, log: [], tickets: [], certified: true });
    const none = await runCli(['image', 'show', img, '--applet', 'nosuch']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/has no applet "nosuch"; it has: cardforge\.sim/);
  }, 120_000);

  it("a real card's clone (pySim export of a classic SIM): its own tree decoded, no key shown", async () => {
    const img = join(dir, 'gr1.json');
    const i = await runCli(['image', 'import', join(REPO, '../shared/fixtures/real-cards/sysmosim-gr1-classic-backup.script'), '-o', img]);
    expect(i.code, i.stderr).toBe(0);
    const r = await runCli(['image', 'show', img]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ {4}3F00\/7F20\/6F07 EF_IMSI \(transparent, 9 bytes\): IMSI 001010000000102$/m);
    expect(r.stdout).toMatch(/^ {4}PIN1 \(CHV1\): 3\/3 tries left, disabled$/m);
    expectNoSecrets(r.stdout, secretsOf(img));
  }, 60_000);

  it('after ledger DEBITs (prove ledger): the balance, the counters and the usage log, newest first', async () => {
    const img = join(dir, 'debited.json');
    expect((await runCli(['personalize', seeds, '--backend-keys', 'demo', '-o', img])).code).toBe(0);
    const p = await runCli(['prove', '--card', img, '--profile', seeds, '--backend-keys', 'demo', '--destructive', 'ledger']);
    expect(p.code, p.stdout + p.stderr).toBe(0);
    const r = await runCli(['image', 'show', img, '--applet', 'ledger', '--json']);
    const l = IMAGE_SHOW_JSON.schema.parse(JSON.parse(r.stdout)).applets[0]!.ledger!;
    expect(l.transactions).toBeGreaterThan(0);
    expect(l.log).toHaveLength(Math.min(l.transactions, 16));
    expect(l.log[0]!.counter).toBe(l.transactions);
    expect(l.log[0]!.after).toBe(l.balance);
    expect(l.log.at(-1)!.before).toBe(1000);
    for (const rec of l.log) expect(rec.before - rec.after).toBe(rec.price);
    const t = await runCli(['image', 'show', img, '--applet', 'ledger']);
    expect(t.stdout).toContain(`balance ${l.balance} of max 10000`);
    expect(t.stdout).toMatch(new RegExp(`#${l.transactions}: editor [0-9a-f]{8}, price ${l.log[0]!.price} \\(currency 978\\), ${l.log[0]!.before} → ${l.balance}`));
  }, 60_000);

  it('an encrypted image needs its passphrase, then shows; a corrupt image is refused naming the file', async () => {
    const pass = join(dir, 'pass.txt');
    writeFileSync(pass, 'correct horse battery staple\n');
    const img = join(dir, 'enc.json');
    expect((await runCli(['--passphrase-file', pass, 'personalize', seeds, '--backend-keys', 'demo', '-o', img])).code).toBe(0);
    const noPass = await runCli(['image', 'show', img], { env: { ...process.env, CARDFORGE_IMAGE_PASSPHRASE: '' } });
    expect(noPass.code).toBe(1);
    expect(noPass.stderr).toContain(`${img}: the card image is encrypted; give its passphrase`);
    const r = await runCli(['--passphrase-file', pass, 'image', 'show', img, '--no-files']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^.*enc\.json: ATR [0-9A-F]+ \(T=0\), encrypted$/m);
    expect(r.stdout).toMatch(/PIN1 \(CHV1\): 3\/3 tries left/);
    expectNoSecrets(r.stdout, [KI, OPC, ascii('1234')]);

    const plain = join(dir, 'corrupt.json');
    expect((await runCli(['personalize', join(REPO, 'profiles/example-sim.yaml'), '-o', plain])).code).toBe(0);
    const text = readFileSync(plain, 'utf8');
    writeFileSync(plain, text.replace('"sim/chv1/tries": "03"', '"sim/chv1/tries": "09"'));
    const c = await runCli(['image', 'show', plain]);
    expect(c.code).toBe(1);
    expect(c.stderr).toContain(`${plain}: `);
    expect(c.stderr).toMatch(/digest|restore/);
    const cj = await runCli(['image', 'show', plain, '--json']);
    expect(ERROR_JSON.schema.parse(JSON.parse(cj.stdout)).error.code).toBe('IMAGE_CORRUPT');
    const missing = await runCli(['image', 'show', join(dir, 'nope.json')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nope\.json: no such card image/);
  }, 120_000);
});
