/**
 * The `wallet` prove suite (issue 18, SFR seed 000) and the UICC-only identification of the
 * payment suite, in process against emulated cards personalized from the seeds profile:
 * - all rows pass on the seeds card, destructive ones only with --destructive (and then the purse
 *   moved by exactly the payment and the load);
 * - a wallet bound to another subscriber fails the rows that need the identification (the suite
 *   can fail); a card without the applet, or a profile without the section, skips with the reason;
 * - on a UICC-only card (class A0 refused) the payment and wallet suites identify the subscriber
 *   with AUTHENTICATE in GSM context, and the payment server accepts the record (identification 03).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseProfileText } from '../../host/profile/load.js';
import { personalizeCard } from '../../host/profile/personalize.js';
import { walletPersonalization } from '../../host/profile/wallet.js';
import { EmulatorTransport } from '../../host/transport/index.js';
import { runSuites, selectSuites, textTable, DESTRUCTIVE_SKIP } from '../../host/prove/index.js';
import { actorsFrom, demoSecrets } from '../../host/backend/actors.js';
import { WalletApplet } from '../../card/applets/wallet/index.js';
import { WALLET_AID } from '../../card/protocol/index.js';
import { WalletCard } from '../../host/backend/wallet/index.js';
import type { Profile } from '../../host/profile/schema.js';

const seedsText = readFileSync(new URL('../../profiles/example-seeds.yaml', import.meta.url), 'utf8');
const seeds = parseProfileText(seedsText, 'example-seeds.yaml');
const actors = actorsFrom(demoSecrets());

async function transportFor(p: Profile, tweak?: (card: Awaited<ReturnType<typeof personalizeCard>>) => void): Promise<EmulatorTransport> {
  const card = await personalizeCard(p, 'p.yaml', actors);
  tweak?.(card);
  const t = new EmulatorTransport(card);
  await t.connect();
  return t;
}

async function balance(t: EmulatorTransport): Promise<number> {
  await t.reset();
  const w = new WalletCard(t);
  await w.select();
  return (await w.info()).balance;
}

describe('prove wallet (seed 000 e-wallet)', () => {
  it('passes on the seeds card; destructive checks skipped with the reason until --destructive, then the purse moves by the payment and the load only', async () => {
    const t = await transportFor(seeds);
    const safe = await runSuites(t, selectSuites(['wallet']), { profile: seeds, actors });
    expect(safe.failed, textTable(safe)).toBe(0);
    expect(safe.rows.filter((r) => r.verdict === 'skip').map((r) => [r.check, r.note?.startsWith(DESTRUCTIVE_SKIP)])).toEqual([
      ['PAY above the threshold by the payment card: SIGN TRANSACTION, payment server', true],
      ['PAY below the threshold from the purse, receipt, replay', true],
      ['LOAD signed by the wallet issuer, then the same LOAD replayed', true],
    ]);
    expect(safe.rows.filter((r) => r.verdict === 'pass').map((r) => r.check)).toEqual(expect.arrayContaining([
      'PAY without identification in this session is refused', 'subscriber identified (RUN GSM ALGORITHM, SRES checked by the AuC)',
      'PAY 501 (above the threshold 500) → use the payment card', 'LOAD with a signature not from the wallet issuer is refused',
    ]));
    expect(await balance(t)).toBe(1000);
    const r = await runSuites(t, selectSuites(['wallet']), { profile: seeds, actors, destructive: true });
    expect(r.failed, textTable(r)).toBe(0);
    expect(r.skipped, textTable(r)).toBe(0);
    expect(r.rows.map((x) => x.check)).toEqual(expect.arrayContaining([
      'the payment card signs the amount above the threshold (VERIFY, SIGN TRANSACTION)', 'the payment server accepts it (identification confirmed by the AuC)',
      'the receipt verifies with the wallet key and names the challenge and the subscriber (IMSI hash)', 'the same PAY again (same host challenge) is refused',
      'LOAD 1 signed by the wallet issuer', 'the same LOAD replayed on a fresh challenge is refused (load counter used)', 'the replays changed nothing',
    ]));
    // Paid 1 from the purse, loaded 1: the replays and the refusals moved nothing.
    expect(await balance(t)).toBe(1000);
    expect((await new WalletCard(t).info()).txCounter).toBe(1);
  });

  it('a wallet bound to another subscriber fails the identified rows (the suite can fail)', async () => {
    const { wallet: _w, ...noWallet } = seeds;
    const t = await transportFor(noWallet as Profile, (card) => {
      card.install(WalletApplet, { aid: WALLET_AID, personalization: walletPersonalization(seeds.wallet!, '001019999999999', actors.walletIssuer!.publicKey) });
    });
    const r = await runSuites(t, selectSuites(['wallet']), { profile: seeds, actors, destructive: true });
    const failed = r.rows.filter((x) => x.verdict === 'fail');
    expect(failed.map((x) => [x.check, x.expected, x.got])).toEqual(expect.arrayContaining([
      ['PAY 501 (above the threshold 500) → use the payment card', '6920', '6982'],
      ['PAY 1 from the purse', '9000', '6982'],
    ]));
  });

  it('skips with the reason: no wallet applet on the card, no wallet section in the profile', async () => {
    const { wallet: _w, ...noWallet } = seeds;
    const t = await transportFor(noWallet as Profile);
    const r = await runSuites(t, selectSuites(['wallet']), { profile: seeds, actors });
    expect(r.rows.map((x) => [x.verdict, x.note])).toEqual([['skip', 'the card has no e-wallet applet (SELECT F0636172646667050001 answered 6a82)']]);
    const r2 = await runSuites(t, selectSuites(['wallet']), { profile: noWallet as Profile, actors });
    expect(r2.rows.map((x) => [x.verdict, x.note])).toEqual([['skip', 'the profile has no wallet section']]);
  });

  it('a purse at its maximum balance: the LOAD check skips with the reason instead of failing on 6923', async () => {
    const full: Profile = { ...seeds, wallet: { ...seeds.wallet!, initial_balance: seeds.wallet!.max_balance } };
    const t = await transportFor(full);
    const r = await runSuites(t, selectSuites(['wallet']), { profile: full, actors });
    expect(r.failed, textTable(r)).toBe(0);
    expect(r.rows.find((x) => x.check === 'LOAD signed by the wallet issuer, then the same LOAD replayed')).toMatchObject({ verdict: 'skip', note: 'the purse is at its maximum balance (10000): a LOAD would be refused (6923)' });
  });

  it('back-end keys from before the wallet issuer: the LOAD check skips with the reason, the rest still runs', async () => {
    const { wallet_issuer: _wi, ...older } = demoSecrets();
    const t = await transportFor(seeds);
    const r = await runSuites(t, selectSuites(['wallet']), { profile: seeds, actors: actorsFrom(older), destructive: true });
    expect(r.failed, textTable(r)).toBe(0);
    expect(r.rows.filter((x) => x.verdict === 'skip').map((x) => [x.check, x.note])).toEqual([
      ['LOAD signed by the wallet issuer, then the same LOAD replayed', 'needs --backend-keys with the wallet issuer (a keys file written before the e-wallet has none)'],
    ]);
    expect(r.rows.find((x) => x.check === 'LOAD with a signature not from the wallet issuer is refused')?.verdict).toBe('pass');
  });
});

describe('UICC-only card: identification by AUTHENTICATE in GSM context (P2=80)', () => {
  const uicc = parseProfileText(seedsText.replace(/^personality: both/m, 'personality: uicc'), 'uicc.yaml');

  it('the payment and wallet suites identify the subscriber with USIM AUTHENTICATE, and the payment server accepts the record', async () => {
    expect(uicc.personality).toBe('uicc');
    const t = await transportFor(uicc);
    // The card is UICC-only: class A0 is refused.
    expect(Buffer.from(await t.transmit(Buffer.from('a0a40000023f00', 'hex'))).toString('hex')).toBe('6e00');
    const r = await runSuites(t, selectSuites(['seed-000-identification']), { profile: uicc, actors, destructive: true });
    expect(r.failed, textTable(r)).toBe(0);
    expect(r.skipped, textTable(r)).toBe(0);
    const rows = r.rows.map((x) => `${x.suite}: ${x.check}`);
    expect(rows).toEqual(expect.arrayContaining([
      'payment: subscriber identified (UICC-only card: AUTHENTICATE GSM context, SRES checked by the AuC)',
      'payment: payment server accepts the signature and the certificate chain',
      'payment: AUTHENTICATE GSM context on a host-chosen RAND (not issued by the AuC)',
      'payment: a host-chosen RAND is refused: the AuC never issued or verified it',
      'wallet: subscriber identified (UICC-only card: AUTHENTICATE GSM context, SRES checked by the AuC)',
      'wallet: the payment server accepts it (identification confirmed by the AuC)',
    ]));
    expect(rows.some((x) => /RUN GSM ALGORITHM/.test(x))).toBe(false);
  });
});
