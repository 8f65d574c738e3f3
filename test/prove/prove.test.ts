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
import { SUITES, runSuites, textTable, junitReport, jsonReport } from '../../host/prove/index.js';
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
    // The SIM-only profile has no payment or ledger section: those suites say so.
    expect(r.rows.filter((x) => x.verdict === 'skip').map((x) => x.note)).toEqual(['the profile has no payment section', 'the profile has no payment section', 'the profile has no payment section', 'the profile has no ledger section']);
  });

  it('without --destructive the blocking checks are skipped, not run', async () => {
    const r = await prove(text);
    expect(r.failed).toBe(0);
    expect(r.rows.filter((x) => x.verdict === 'skip').map((x) => x.check)).toEqual(['block PIN1 and unblock with PUK1', 'INCREASE past EF_ACMmax → 9850', 'payment suite', 'docomo suite', 'mall suite', 'ledger suite']);
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
    const r = await runSuites(t, SUITES.filter((s) => ['payment', 'docomo', 'mall', 'ledger'].includes(s.name)), { profile: seeds, actors, destructive: true });
    expect(r.failed, textTable(r)).toBe(0);
    expect(r.skipped, textTable(r)).toBe(0);
    expect(r.rows.map((x) => x.check)).toEqual(expect.arrayContaining([
      'payment gateway accepts the authentication result',
      'two transactions give two different ciphertexts',
      'the same blob again is refused (replay)',
      'a tampered blob is refused',
      'the forwarded blob is the stored 1st-cipher blob, unopened',
      'settlement server checks the card approval and deciphers',
      'payment server accepts the signature and the certificate chain',
      'the same signature again is rejected',
      'DEBIT with a forged editor signature is refused',
      'receipt verified by the software interface',
    ]));
    // Against other issuers (a card programme the card does not belong to) the chain checks fail.
    const strangers = actorsFrom(Object.fromEntries(Object.entries(demoSecrets()).map(([k, v]) => [k, v.map((b) => b ^ 0x5a)])) as ReturnType<typeof demoSecrets>);
    const r2 = await runSuites(t, SUITES.filter((s) => s.name === 'payment' || s.name === 'ledger'), { profile: seeds, actors: strangers });
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
  });

  it('reports: text table, JSON and JUnit XML agree on the counts', async () => {
    const r = await prove(text.replace('465b5ce8b199b49faa5f0a2ee238a6bc', '0396eb317b6d1c36f19c1c84cd6ffd16'));
    expect(textTable(r)).toMatch(new RegExp(`${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped$`));
    expect(JSON.parse(jsonReport(r)).failed).toBe(r.failed);
    const xml = junitReport(r);
    expect(xml).toContain(`<testsuites tests="${r.rows.length}" failures="${r.failed}" skipped="${r.skipped}">`);
    expect(xml).toContain('<testsuite name="gsm-auth"');
    expect((xml.match(/<failure /g) ?? []).length).toBe(r.failed);
  });
});
