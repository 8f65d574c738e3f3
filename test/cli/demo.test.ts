/**
 * `cardforge demo` (the README's main job) as a user runs it: every verdict of the seeds' story
 * and of the runtime part holds, the APDUs are decoded by the applet they go to, and no secret
 * (PIN, payment code, keys) appears in the output.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, REPO } from './built-cli.js';

describe('cardforge demo', () => {
  it('walks the seeds\' story and the runtime guarantees with every verdict ok', async () => {
    const r = await runCli(['demo'], { timeoutMs: 60_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).not.toContain('FAIL');
    expect(r.stdout).toMatch(/# The seeds' story on an emulated card[\s\S]*\n26 passed, 0 failed\n[\s\S]*# The runtime's guarantees[\s\S]*\n20 passed, 0 failed$/m);
    // Commands are named by the applet they are sent to (00 20 differs per applet).
    expect(r.stdout).toMatch(/> A020000108\*{16} +GSM_VERIFY_CHV/);
    expect(r.stdout).toMatch(/> 0020008104\*{8} +VERIFY\n/);
    expect(r.stdout).toMatch(/> 0020008104\*{8} +LEDGER_VERIFY_CODE/);
    expect(r.stdout).toContain('LEDGER_DEBIT');
    // The e-wallet step (issue 18): the small payment from the purse, the large one by the payment card.
    const wallet = /== 4\. The e-wallet[\s\S]*?\n== 5\./.exec(r.stdout)?.[0] ?? '';
    expect(wallet).toMatch(/> 805000001E000000FA\S* +WALLET_PAY\n +< \S+ 9000/);
    expect(wallet).toMatch(/ok +2\.50 EUR ≤ the threshold \(5\.00 EUR\): paid from the purse; the receipt verifies/);
    expect(wallet).toMatch(/ok +purse 1000 → 750/);
    expect(wallet).toMatch(/> 805000001E00001194\S* +WALLET_PAY\n +< 6920 +Wallet: amount above the purse threshold/);
    expect(wallet).toMatch(/SIGN_TRANSACTION\n +< \S+ 9000[\s\S]*ok +the payment card signs the 45\.00 EUR after the payment code; the payment server accepts it/);
    // Seed 004: the editor's own key is registered, and the same DEBIT again is refused (issue 18).
    expect(r.stdout).toMatch(/LEDGER_REGISTER_EDITOR/);
    expect(r.stdout).toMatch(/ok +the same DEBIT sent again is refused \(6985\)/);
    // No secret of the profile in the output.
    const profile = readFileSync(join(REPO, 'profiles/example-seeds.yaml'), 'utf8');
    for (const secret of ['465b5ce8b199b49faa5f0a2ee238a6bc', 'cd63cb71954a9f4e48a5994e37a02baf', '2b7e151628aed2a6abf7158809cf4f3c']) {
      expect(profile).toContain(secret);
      expect(r.stdout.toLowerCase()).not.toContain(secret);
    }
    expect(r.stdout).not.toMatch(/31323334FFFFFFFF|32343638/); // PIN 1234 / payment code 2468 as sent
  });

  it('--json prints only the verdicts', async () => {
    const r = await runCli(['demo', '--json'], { timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ passed: 46, failed: 0 });
    expect(j.checks.filter((c: { part: string }) => c.part === 'story')).toHaveLength(26);
  });

  it('an unknown part is a usage error', async () => {
    const r = await runCli(['demo', 'everything']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown demo part "everything"; parts are: story, runtime, all/);
  });
});
