/**
 * Issue 19 item 10: a check that later checks need (ctx.require) fails → the suite ends there and
 * every dependant is a skip row "depends on <check>, which failed" (they neither vanish nor run);
 * progress lines count passed, failed and skipped apart; the text table fits 100 columns on the
 * widest real report (every suite on the seeds card, with failures), and --wide keeps one line per row.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { parseProfileText } from '../../host/profile/load.js';
import { buildCard } from '../../host/profile/build.js';
import { personalizeCard } from '../../host/profile/personalize.js';
import { actorsFrom, demoSecrets } from '../../host/backend/actors.js';
import { EmulatorTransport } from '../../host/transport/index.js';
import { PAYMENT_AID } from '../../apdu-specs/index.js';
import { SUITES, dependsOnNote, progressLine, proveSummary, runSuites, textTable, type CheckRow, type Suite } from '../../host/prove/index.js';

const seedsText = readFileSync(new URL('../../profiles/example-seeds.yaml', import.meta.url), 'utf8');
const seeds = parseProfileText(seedsText, 'example-seeds.yaml');
const actors = actorsFrom(demoSecrets());
const simProfile = parseProfileText(readFileSync(new URL('../../profiles/example-sim.yaml', import.meta.url), 'utf8'), 'example-sim.yaml');

/** The emulator, except that the card refuses to select the payment applet (as a card without it would). */
class NoPaymentApplet extends EmulatorTransport {
  override async transmit(command: Uint8Array): Promise<Uint8Array> {
    const hex = Buffer.from(command).toString('hex');
    if (hex.slice(2, 6) === 'a404' && hex.endsWith(PAYMENT_AID)) return Uint8Array.of(0x6a, 0x82);
    return super.transmit(command);
  }
}

/** The emulator, except that EF_DIR is missing (6A82 to its SELECT): the USIM cannot be found. */
class NoEfDir extends EmulatorTransport {
  override async transmit(command: Uint8Array): Promise<Uint8Array> {
    if (Buffer.from(command).toString('hex').startsWith('00a40004022f00')) return Uint8Array.of(0x6a, 0x82);
    return super.transmit(command);
  }
}

const names = (rows: readonly CheckRow[]): string[] => rows.map((r) => r.check);

describe('prove: a failed prerequisite and its dependants', () => {
  it('the runner records the dependants as skips, ends the suite there, and goes on with the next suite', async () => {
    const t = new EmulatorTransport(buildCard(simProfile, 'p.yaml'));
    await t.connect();
    let ranAfter = false;
    const gated: Suite = {
      name: 'gated', description: '', needsProfile: false, async run(ctx) {
        ctx.check('first', '9000', '9000');
        ctx.require('select the thing', '9000', '6a82', ['read it', 'sign with it']);
        ranAfter = true;
        ctx.check('read it', '9000', '9000');
      },
    };
    const next: Suite = { name: 'next', description: '', needsProfile: false, async run(ctx) { ctx.check('still runs', 'x', 'x'); } };
    const progress: string[] = [];
    const r = await runSuites(t, [gated, next], { onSuite: (s, i, n, rows) => progress.push(progressLine(s.name, i, n, rows)) });
    expect(ranAfter).toBe(false);
    expect(r.rows.map((x) => [x.suite, x.check, x.verdict, x.note])).toEqual([
      ['gated', 'first', 'pass', undefined],
      ['gated', 'select the thing', 'fail', undefined],
      ['gated', 'read it', 'skip', 'depends on select the thing, which failed'],
      ['gated', 'sign with it', 'skip', 'depends on select the thing, which failed'],
      ['next', 'still runs', 'pass', undefined],
    ]);
    expect({ passed: r.passed, failed: r.failed, skipped: r.skipped }).toEqual({ passed: 2, failed: 1, skipped: 2 });
    // No "suite completed" failure: ending at a failed prerequisite is not an error of the suite.
    expect(names(r.rows)).not.toContain('suite completed');
    expect(progress).toEqual(['[1/2] gated: 1 passed, 1 failed, 2 skipped (2 depend on a failed check)', '[2/2] next: 1 passed, 0 failed, 0 skipped']);
    expect(proveSummary(r)).toBe('3 checks ran: 2 passed, 1 failed; 2 skipped (depends on select the thing, which failed ×2)');
  });

  it('a prerequisite that passes changes nothing: the suite goes on', async () => {
    const t = new EmulatorTransport(buildCard(simProfile, 'p.yaml'));
    await t.connect();
    const s: Suite = { name: 's', description: '', needsProfile: false, async run(ctx) {
      ctx.require('select', '9000', '9000', ['read']);
      ctx.check('read', 'a', 'a');
    } };
    const r = await runSuites(t, [s]);
    expect(r.rows.map((x) => [x.check, x.verdict])).toEqual([['select', 'pass'], ['read', 'pass']]);
  });

  it('the real suites: without the payment applet, every payment-applet suite lists what it could not check', async () => {
    const paymentSuites = SUITES.filter((s) => ['payment', 'auth-result', 'card-number', 'mall-profile', 'mall-forward'].includes(s.name));
    // What each suite records after SELECT when the applet is there (with and without --destructive).
    const passing = async (destructive: boolean) => {
      const t = new EmulatorTransport(await personalizeCard(seeds, 'example-seeds.yaml', actors));
      await t.connect();
      return runSuites(t, paymentSuites, { profile: seeds, actors, destructive });
    };
    const after = (rows: readonly CheckRow[], suite: string): string[] => {
      const mine = rows.filter((r) => r.suite === suite);
      return names(mine.slice(mine.findIndex((r) => r.check === 'SELECT the payment applet') + 1));
    };
    const safe = await passing(false);
    const full = await passing(true);
    const t = new NoPaymentApplet(await personalizeCard(seeds, 'example-seeds.yaml', actors));
    await t.connect();
    const broken = await runSuites(t, paymentSuites, { profile: seeds, actors, destructive: true });
    expect(broken.rows.filter((r) => r.verdict === 'fail').map((r) => `${r.suite}: ${r.check} ${r.got}`)).toEqual(
      paymentSuites.map((s) => `${s.name}: SELECT the payment applet 6a82`),
    );
    for (const s of paymentSuites) {
      const skipped = broken.rows.filter((r) => r.suite === s.name && r.verdict === 'skip');
      expect(skipped.length, s.name).toBeGreaterThan(0);
      for (const r of skipped) expect(r.note, `${s.name}: ${r.check}`).toBe(dependsOnNote('SELECT the payment applet'));
      // Every dependant is a check the suite really makes (or the declared gate of a group of them)…
      const known = new Set([...after(safe.rows, s.name), ...after(full.rows, s.name)]);
      for (const r of skipped) expect(known.has(r.check), `${s.name}: "${r.check}" is not a check of the suite`).toBe(true);
      // …and every check made after SELECT without --destructive is among them (none vanishes).
      const listed = new Set(names(skipped));
      const vanished = after(safe.rows, s.name).filter((c) => !listed.has(c) && c !== 'release of the stored profile');
      expect(vanished, s.name).toEqual([]);
    }
  });

  it('no suite ends silently after a failed check: a check the rest needs is made with ctx.require', () => {
    const dir = new URL('../../host/prove/suites/', import.meta.url);
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
      const src = readFileSync(new URL(f, dir), 'utf8');
      expect(src, `${f}: use ctx.require(name, expected, got, dependants) instead of if (!ctx.check(…)) return`).not.toMatch(/if \(!ctx\.check\(/);
    }
  });

  it('the real suites: without EF_DIR the USIM checks are skipped as dependants of "EF_DIR lists the USIM"', async () => {
    const full = await (async () => {
      const t = new EmulatorTransport(buildCard(simProfile, 'p.yaml'));
      await t.connect();
      return runSuites(t, SUITES.filter((s) => s.name === 'usim-auth'), { profile: simProfile, destructive: true });
    })();
    const t = new NoEfDir(buildCard(simProfile, 'p.yaml'));
    await t.connect();
    const r = await runSuites(t, SUITES.filter((s) => s.name === 'usim-auth'), { profile: simProfile, destructive: true });
    expect(r.rows[0]).toMatchObject({ check: 'EF_DIR lists the USIM', verdict: 'fail', got: 'none' });
    // Exactly the checks a working card gets, each a skip that names the failed prerequisite.
    expect(names(r.rows.slice(1))).toEqual(names(full.rows.slice(1)));
    expect(r.rows.slice(1).every((x) => x.verdict === 'skip' && x.note === dependsOnNote('EF_DIR lists the USIM'))).toBe(true);
  });
});

describe('prove: the text table', () => {
  // The widest line, the summary (the last line, one line for scripts to find) aside.
  const columns = (s: string): number => Math.max(...s.split('\n').slice(0, -1).map((l) => [...l].length));

  it('fits 100 columns on the widest real report, failures included; --wide prints one line per row in full', async () => {
    // Every suite on the seeds card, destructive, against strangers' back-end keys: long check
    // names, hex values, notes and failures in one report.
    const strangers = actorsFrom(Object.fromEntries(Object.entries(demoSecrets()).map(([k, v]) => [k, v.map((b) => b ^ 0x5a)])) as ReturnType<typeof demoSecrets>);
    const t = new EmulatorTransport(await personalizeCard(seeds, 'example-seeds.yaml', actors));
    await t.connect();
    const r = await runSuites(t, SUITES, { profile: seeds, actors: strangers, destructive: true });
    expect(r.failed).toBeGreaterThan(0);
    const table = textTable(r);
    expect(columns(table)).toBeLessThanOrEqual(100);
    expect(columns(textTable(r, { width: 80 }))).toBeLessThanOrEqual(80);
    // Nothing was lost by wrapping: every check name's words and every note's words are there, in order.
    const flat = table.replace(/\s+/g, ' ');
    for (const row of r.rows) for (const w of row.check.split(' ')) expect(flat, row.check).toContain(w.length > 20 ? w.slice(0, 20) : w);
    const wide = textTable(r, { wide: true });
    expect(columns(wide)).toBeGreaterThan(100);
    const lines = wide.split('\n');
    for (const row of r.rows) {
      const line = lines.find((l) => l.startsWith(row.suite.padEnd(12)) && l.includes(`  ${row.check}  `));
      expect(line, row.check).toBeDefined();
      expect(line).toContain(row.expected);
      expect(line).toContain(row.got);
      if (row.note) expect(line).toContain(`${row.verdict} (${row.note})`);
    }
    // The failures section repeats expected and got in full: a word wider than the line (a public
    // key in hex) is cut only at line ends, so joining the lines gives it back whole.
    const joined = table.replace(/\n +/g, '');
    for (const f of r.rows.filter((x) => x.verdict === 'fail')) for (const w of `${f.expected} ${f.got}`.split(' ')) expect(joined).toContain(w);
  });
});
