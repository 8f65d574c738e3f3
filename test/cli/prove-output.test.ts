/**
 * `cardforge prove` output as a user sees it (issue 19 item 10), spawned on a card personalized
 * from the seeds profile: the table fits 100 columns (every suite, notes wrapped under their row),
 * --wide prints one line per row in full, progress lines on stderr count passed/failed/skipped
 * apart, and --json is the documented PROVE_JSON document.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { runCli, REPO } from './built-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { PROVE_JSON } from '../../host/cli/json/outputs.js';

const seeds = join(REPO, 'profiles/example-seeds.yaml');
let image: string;
beforeAll(async () => {
  image = join(tempDir('cf-prove-out-'), 'seeds.json');
  const r = await runCli(['personalize', seeds, '--backend-keys', 'demo', '-o', image]);
  expect(r.code, r.stderr).toBe(0);
}, 60_000);

const prove = (...args: string[]) => runCli(['prove', '--card', image, '--no-save', '--profile', seeds, '--backend-keys', 'demo', ...args], { timeoutMs: 60_000 });

describe('cardforge prove output', () => {
  it('the table of every suite on the seeds card fits 100 columns; progress lines count skips apart', async () => {
    const r = await prove();
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    const summary = lines.at(-1)!;
    expect(summary).toMatch(/^\d+ checks ran: \d+ passed, 0 failed; \d+ skipped \(destructive: pass --destructive ×\d+/);
    const widest = Math.max(...lines.slice(0, -1).map((l) => [...l].length));
    expect(widest).toBeLessThanOrEqual(100);
    expect(widest).toBeGreaterThan(80); // the room is used, not a narrow table
    // Each skip's reason is on the line under its row.
    expect(r.stdout).toMatch(/debit 1 unit, receipt, +skip\n +replay refused, export,\n +settlement\n +↳ destructive: pass --destructive \(spends 1 unit/);
    const progress = r.stderr.trim().split('\n').filter((l) => l.startsWith('['));
    expect(progress).toHaveLength(12); // one line per suite
    expect(progress[0]).toBe('[1/12] pin: 5 passed, 0 failed, 3 skipped');
    expect(progress).toContain('[8/12] card-number: 11 passed, 0 failed, 0 skipped');
  }, 60_000);

  it('--wide: one line per row, values and notes in full', async () => {
    const r = await prove('--wide', 'usim-auth', 'ledger');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(Math.max(...lines.map((l) => [...l].length))).toBeGreaterThan(100);
    // The AUTHENTICATE row: DB, RES, CK, IK and Kc (5 + 8 + 16 + 16 + 8 bytes) on one line, twice (expected and got).
    const auth = lines.find((l) => l.includes('AUTHENTICATE 3G'))!;
    expect(auth).toMatch(/ db [0-9a-f]{16} [0-9a-f]{32} [0-9a-f]{32} [0-9a-f]{16} +db [0-9a-f]{16} [0-9a-f]{32} [0-9a-f]{32} [0-9a-f]{16} +pass$/);
    expect(r.stdout).toMatch(/debit 1 unit, receipt, replay refused, export, settlement +skip \(destructive: pass --destructive \(spends 1 unit of the purse \(or adds 1 to the postpaid use\)\)\)\n/);
  }, 60_000);

  it('--json: the documented schema, no progress lines, same counts as the table', async () => {
    const r = await prove('--json', 'pin', 'ledger');
    expect(r.code, r.stderr).toBe(0);
    const doc = PROVE_JSON.schema.parse(JSON.parse(r.stdout));
    expect(doc.verdict).toBe('pass');
    expect(doc.ran).toBe(doc.passed + doc.failed);
    expect(doc.rows.filter((x) => x.verdict === 'skip')).toHaveLength(doc.skipped);
    expect(doc.rows.find((x) => x.check === 'debit 1 unit, receipt, replay refused, export, settlement')).toMatchObject({ suite: 'ledger', verdict: 'skip', note: expect.stringMatching(/^destructive: pass --destructive/) });
    expect(r.stderr).not.toMatch(/^\[\d+\/\d+\]/m);
    const none = await runCli(['prove', '--card', image, '--no-save', '--json', 'pin']);
    expect(none.code).toBe(1);
    expect(PROVE_JSON.schema.parse(JSON.parse(none.stdout))).toMatchObject({ verdict: 'vacuous', ran: 0, skipped: 1 });
  }, 60_000);
});
