/**
 * Protocol proofs in process: every SIM suite passes against a card personalized from the
 * example profile (destructive checks included, and the card works afterwards); a card with a
 * different Ki fails exactly the authentication rows; reports (text, JSON, JUnit) carry them.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseProfileText } from '../../host/profile/load.js';
import { buildCard } from '../../host/profile/build.js';
import { EmulatorTransport } from '../../host/transport/index.js';
import { SUITES, SUITE_GROUPS, DESTRUCTIVE_SKIP, proveSummary, proveVerdict, runSuites, selectSuites, textTable, junitReport, jsonReport, type Suite } from '../../host/prove/index.js';
import { personalizeCard } from '../../host/profile/personalize.js';
import { actorsFrom, demoSecrets } from '../../host/backend/actors.js';

const text = readFileSync(new URL('../../profiles/example-sim.yaml', import.meta.url), 'utf8');
const profile = parseProfileText(text, 'example-sim.yaml');

async function prove(profileText: string, destructive = false) {
  const card = buildCard(parseProfileText(profileText, 'p.yaml'), 'p.yaml');
  const t = new EmulatorTransport(card);
  await t.connect();
  return runSuites(t, SUITES, { profile, destructive });
}

describe('cardforge prove (in process)', () => {
  it('passes every suite, destructive checks included', async () => {
    const r = await prove(text, true);
    expect(r.failed, textTable(r)).toBe(0);
    expect(r.passed).toBeGreaterThan(25);
    // The SIM-only profile has no payment, wallet or ledger section: those suites say so.
    expect(r.rows.filter((x) => x.verdict === 'skip').map((x) => x.note)).toEqual([
      'the profile has no payment section', 'the profile has no wallet section', 'the profile has no payment section', 'the profile has no payment section', 'the profile has no payment section',
      'the profile has no payment section', 'the profile has no ledger section', 'the profile has no ledger section',
    ]);
  });

  it('without --destructive the code-spending and meter-moving checks are skipped with the reason, not run', async () => {
    const r = await prove(text);
    expect(r.failed).toBe(0);
    const skips = r.rows.filter((x) => x.verdict === 'skip');
    expect(skips.map((x) => x.check)).toEqual([
      'classic VERIFY CHV1 with a wrong value', 'VERIFY PIN1 with a wrong value counts down', 'block PIN1 and unblock with PUK1',
      'INCREASE EF_ACM by 1', 'INCREASE past EF_ACMmax → 9850', 'payment suite', 'wallet suite', 'auth-result suite', 'card-number suite', 'mall-profile suite', 'mall-forward suite', 'ledger suite', 'tickets suite',
    ]);
    expect(skips.slice(0, 5).every((x) => x.note?.startsWith(DESTRUCTIVE_SKIP))).toBe(true);
    // Nothing ran that spends: no wrong-code rows, no INCREASE rows.
    expect(r.rows.filter((x) => x.verdict !== 'skip' && /wrong (value|PIN)|INCREASE|block/.test(x.check))).toEqual([]);
    expect(proveSummary(r)).toMatch(/^\d+ checks ran: \d+ passed, 0 failed; 13 skipped \(destructive: pass --destructive ×5; /);
  });

  it('a destructive check does not touch the card without --destructive: EF_ACM unchanged until it is given', async () => {
    const card = buildCard(profile, 'p.yaml');
    const t = new EmulatorTransport(card);
    await t.connect();
    const acm = async (): Promise<string> => {
      await t.reset();
      const chv1 = Buffer.from(profile.pins.pin1.padEnd(8, '\xff'), 'latin1').toString('hex');
      for (const f of ['a0a40000023f00', 'a0a40000027f20', `a020000108${chv1}`, 'a0a40000026f39']) await t.transmit(Buffer.from(f, 'hex'));
      return Buffer.from(await t.transmit(Buffer.from('a0b2010403', 'hex'))).toString('hex');
    };
    const before = await acm();
    await runSuites(t, SUITES.filter((s) => s.name === 'aoc' || s.name === 'pin'), { profile });
    expect(await acm()).toBe(before);
    const r = await runSuites(t, SUITES.filter((s) => s.name === 'aoc'), { profile, destructive: true });
    expect(r.rows.find((x) => x.check.startsWith('INCREASE EF_ACM by 1'))?.verdict).toBe('pass');
    expect(await acm()).not.toBe(before);
  });

  it('the runner enforces the declaration: an undeclared gate fails the suite, a declared one is listed', async () => {
    const t = new EmulatorTransport(buildCard(profile, 'p.yaml'));
    await t.connect();
    let ran = false;
    const sneaky: Suite = { name: 'sneaky', description: '', needsProfile: false, async run(ctx) {
      if (ctx.allowed('spend without declaring')) ran = true;
    } };
    const r = await runSuites(t, [sneaky], { destructive: true });
    expect(ran).toBe(false);
    expect(r.rows[0]).toMatchObject({ verdict: 'fail', check: 'suite completed', got: expect.stringMatching(/not declared/) });
    // Every destructive gate in the suites' sources is declared, and no suite reads ctx.destructive itself.
    for (const s of SUITES) for (const c of s.checks ?? []) expect(c.effect.length, `${s.name}: ${c.name}`).toBeGreaterThan(5);
    for (const f of ['sim', 'payment', 'ledger']) {
      const src = readFileSync(new URL(`../../host/prove/suites/${f}.ts`, import.meta.url), 'utf8');
      expect(src, `${f}.ts gates with ctx.allowed(name), not ctx.destructive`).not.toMatch(/ctx\.destructive\b/);
      for (const m of src.matchAll(/ctx\.allowed\('([^']+)'\)/g)) expect(SUITES.some((s) => s.checks?.some((c) => c.name === m[1])), m[1]).toBe(true);
    }
  });

  it('a card with another Ki fails the authentication rows and nothing else', async () => {
    const r = await prove(text.replace('465b5ce8b199b49faa5f0a2ee238a6bc', '0396eb317b6d1c36f19c1c84cd6ffd16'));
    const failed = r.rows.filter((x) => x.verdict === 'fail');
    expect(new Set(failed.map((f) => f.suite))).toEqual(new Set(['gsm-auth', 'usim-auth']));
    expect(failed.map((f) => f.check)).toEqual(
      expect.arrayContaining(['RUN GSM ALGORITHM #1: SRES ‖ Kc', 'AUTHENTICATE 3G: DB ‖ RES ‖ CK ‖ IK ‖ Kc equal the AuC vector']),
    );
    // The card rejects the AuC's AUTN (MAC computed with the other key): 9862 where DB was expected.
    expect(failed.find((f) => f.check.startsWith('AUTHENTICATE 3G'))!.got).toBe('9862');
  });

  it('payment and ledger suites pass on a card personalized from the seeds profile (demo back-end keys)', async () => {
    const seedsText = readFileSync(new URL('../../profiles/example-seeds.yaml', import.meta.url), 'utf8');
    const seeds = parseProfileText(seedsText, 'example-seeds.yaml');
    const actors = actorsFrom(demoSecrets());
    const card = await personalizeCard(seeds, 'example-seeds.yaml', actors);
    const t = new EmulatorTransport(card);
    await t.connect();
    // Without --destructive: what can be proved without spending, and the spending checks skipped with the reason.
    const safe = await runSuites(t, selectSuites(['seed-000-identification', 'seed-001-auth-result', 'seed-002-tickets', 'seed-003-mall-profile', 'seed-004-pay-per-use']), { profile: seeds, actors });
    expect(safe.failed, textTable(safe)).toBe(0);
    expect(proveVerdict(safe)).toBe('pass');
    expect(safe.rows.filter((x) => x.verdict === 'skip').map((x) => `${x.suite}: ${x.check}`)).toEqual([
      'payment: VERIFY a wrong payment code counts down', 'payment: signed purchase: SIGN TRANSACTION, payment server, replay, tampering',
      'wallet: PAY above the threshold by the payment card: SIGN TRANSACTION, payment server', 'wallet: PAY below the threshold from the purse, receipt, replay',
      'wallet: LOAD signed by the wallet issuer, then the same LOAD replayed',
      'auth-result: VERIFY a wrong user credential counts down', 'mall-profile: STORE PROFILE (authentication server enrolment)',
      'mall-profile: release of the stored profile', 'mall-forward: STORE PROFILE and forward it (claim 3)',
      'ledger: register an issuer-certified editor key (REGISTER EDITOR)', 'ledger: debit 1 unit, receipt, replay refused, export, settlement',
      'tickets: ISSUE a test ticket and VALIDATE it at a gate', 'tickets: ISSUE a test ticket, TRANSFER it to another card and back, REFUND it',
    ]);
    expect(safe.rows.filter((x) => x.verdict === 'pass').map((x) => x.check)).toEqual(expect.arrayContaining([
      'the payment gateway accepts the result (certificate chain, device id, expiry)', 'a result for another handset is refused', 'DEBIT with a forged editor signature is refused',
      'DEBIT answering an earlier card challenge is refused', 'REGISTER EDITOR with a certificate not signed by the issuer is refused',
    ]));
    const r = await runSuites(t, selectSuites(['payment', 'auth-result', 'card-number', 'mall-profile', 'mall-forward', 'ledger']), { profile: seeds, actors, destructive: true });
    expect(r.failed, textTable(r)).toBe(0);
    expect(r.skipped, textTable(r)).toBe(0);
    // Issue 18: the host-chosen RAND row names what the server objected to (expected vs got).
    const hostRand = r.rows.find((x) => x.check.startsWith('a host-chosen RAND'))!;
    expect(hostRand).toMatchObject({ expected: 'IDENTIFICATION_NOT_CONFIRMED', got: 'IDENTIFICATION_NOT_CONFIRMED', verdict: 'pass' });
    expect(hostRand.note).toMatch(/never issued this RAND/);
    expect(r.rows.map((x) => x.check)).toEqual(expect.arrayContaining([
      'the payment gateway accepts the result (certificate chain, device id, expiry)',
      'two transactions give two different ciphertexts',
      'the same blob again is refused (replay)',
      'a tampered blob is refused',
      'the forwarded blob is the stored 1st-cipher blob, unopened',
      'settlement server checks the card approval and deciphers',
      'payment server accepts the signature and the certificate chain',
      'the same signature again is rejected',
      'subscriber identified (RUN GSM ALGORITHM, SRES checked by the AuC)',
      'a host-chosen RAND is refused: the AuC never issued or verified it',
      'DEBIT with a forged editor signature is refused',
      'REGISTER EDITOR with the issuer-certified editor key',
      'after registration the editor root no longer signs for that editor',
      'receipt verified by the software interface (offer signed with the registered editor key)',
      'the same DEBIT sent again is refused (its challenge was used)',
      'the refused replay changed nothing (value, counter)',
      'the authentication server re-enciphers it; the settlement server opens it',
      'an approval of another order than the one shown is refused',
      'two transactions give two different ciphertexts',
      'the same blob again is refused (replay)',
      'the forwarded blob is the stored 1st-cipher blob, unopened',
    ]));
    // Against other issuers (a card programme the card does not belong to) the chain checks fail.
    const strangers = actorsFrom(Object.fromEntries(Object.entries(demoSecrets()).map(([k, v]) => [k, v.map((b) => b ^ 0x5a)])) as ReturnType<typeof demoSecrets>);
    const r2 = await runSuites(t, SUITES.filter((s) => s.name === 'payment' || s.name === 'ledger'), { profile: seeds, actors: strangers, destructive: true });
    expect(r2.rows.filter((x) => x.verdict === 'fail').map((x) => x.check)).toEqual(expect.arrayContaining(['payment server accepts the signature and the certificate chain', 'the card key is certified by the ledger issuer']));
  });

  it('the same rows when the transport leaves T=0 GET RESPONSE to the caller: the suites complete answers with t0.ts', async () => {
    // Guards the one GET RESPONSE loop (issue 17): the SIM suites no longer follow 9Fxx/61xx themselves.
    const run = async (autoGetResponse: boolean) => {
      const t = new EmulatorTransport(buildCard(profile, 'p.yaml'), { autoGetResponse });
      await t.connect();
      expect(t.protocol).toBe('T=0');
      return runSuites(t, SUITES, { profile, destructive: true });
    };
    const manual = await run(false);
    expect(manual.failed, textTable(manual)).toBe(0);
    expect(manual.rows.map((x) => [x.check, x.verdict])).toEqual((await run(true)).rows.map((x) => [x.check, x.verdict]));
  });

  it('a suite that needs the profile is skipped with the reason when none is given', async () => {
    const card = buildCard(profile, 'p.yaml');
    const t = new EmulatorTransport(card);
    await t.connect();
    const r = await runSuites(t, SUITES);
    expect(r.rows.every((x) => x.verdict === 'skip' && /needs --profile/.test(x.note ?? ''))).toBe(true);
    // …and that is not a pass: nothing was proved.
    expect(proveVerdict(r)).toBe('vacuous');
    expect(proveSummary(r)).toBe(`0 checks ran: ${SUITES.length} skipped (needs --profile ×${SUITES.length}) — nothing was proved`);
    expect(junitReport(r)).toContain(`<testsuites tests="${SUITES.length}" failures="0" skipped="${SUITES.length}">`);
    expect(JSON.parse(jsonReport(r))).toMatchObject({ verdict: 'vacuous', ran: 0, skipped: SUITES.length });
  });

  it('suites per seed flow are selectable by name; the old suite names and aliases still work', () => {
    expect(selectSuites(['seed-004-pay-per-use']).map((s) => s.name)).toEqual(['ledger']);
    expect(selectSuites(['seed-000-identification']).map((s) => s.name)).toEqual(['payment', 'wallet']);
    expect(selectSuites(['seed-002-tickets']).map((s) => s.name)).toEqual(['tickets']);
    expect(selectSuites(['ledger', 'pin']).map((s) => s.name)).toEqual(['pin', 'ledger']);
    expect(selectSuites(['sim', 'gsm-auth']).map((s) => s.name)).toEqual(['pin', 'gsm-auth', 'usim-auth', 'aoc']);
    expect(selectSuites([]).length).toBe(SUITES.length);
    expect(() => selectSuites(['seed-999'])).toThrow(/unknown suite seed-999/);
    for (const g of SUITE_GROUPS) for (const n of g.suites) expect(SUITES.some((s) => s.name === n), `${g.name} → ${n}`).toBe(true);
    expect(SUITE_GROUPS.filter((g) => g.seed).map((g) => g.name)).toEqual(['seed-000-identification', 'seed-001-auth-result', 'seed-002-tickets', 'seed-003-mall-profile', 'seed-004-pay-per-use']);
    // The seed-000 flow is complete (issue 18: the e-wallet suite landed), and so is seed 002's.
    expect(SUITE_GROUPS.find((g) => g.name === 'seed-000-identification')?.inProgress).toBeUndefined();
    expect(SUITE_GROUPS.find((g) => g.name === 'seed-002-tickets')?.inProgress).toBeUndefined();
  });

  it('every failure states expected and got, in full below the table', async () => {
    const t = new EmulatorTransport(buildCard(profile, 'p.yaml'));
    await t.connect();
    const bare: Suite = { name: 'bare', description: '', needsProfile: false, async run(ctx) {
      ctx.check('a check that only says it failed', '', '', false);
      ctx.check('same strings, failed by the predicate', 'x', 'x', false);
    } };
    const r = await runSuites(t, [bare]);
    expect(r.rows.map((x) => [x.expected, x.got])).toEqual([['(not stated)', '(nothing)'], ['x', 'x (but the check failed: see the suite)']]);
    const wrongKi = await prove(text.replace('465b5ce8b199b49faa5f0a2ee238a6bc', '0396eb317b6d1c36f19c1c84cd6ffd16'));
    for (const f of wrongKi.rows.filter((x) => x.verdict === 'fail')) {
      expect(f.expected.length, f.check).toBeGreaterThan(0);
      expect(f.got.length, f.check).toBeGreaterThan(0);
      expect(textTable(wrongKi, { wide: true })).toContain(`    expected: ${f.expected}\n    got:      ${f.got}`);
    }
  });

  it('reports: text table, JSON and JUnit XML agree on the counts', async () => {
    const r = await prove(text.replace('465b5ce8b199b49faa5f0a2ee238a6bc', '0396eb317b6d1c36f19c1c84cd6ffd16'));
    expect(textTable(r)).toMatch(new RegExp(`${r.passed + r.failed} checks ran: ${r.passed} passed, ${r.failed} failed; ${r.skipped} skipped \\(.*\\)$`));
    expect(proveVerdict(r)).toBe('fail');
    expect(JSON.parse(jsonReport(r)).failed).toBe(r.failed);
    const xml = junitReport(r);
    expect(xml).toContain(`<testsuites tests="${r.rows.length}" failures="${r.failed}" skipped="${r.skipped}">`);
    expect(xml).toContain('<testsuite name="gsm-auth"');
    expect((xml.match(/<failure /g) ?? []).length).toBe(r.failed);
  });
});
