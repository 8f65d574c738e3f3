/**
 * The `ledger:` profile section: valid sections become install params and personalization that
 * a card accepts; bad fields are reported with their path. Guards: a prepaid card without a
 * maximum balance, consent without a code, secrets leaking into params (kept in the image).
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { bytesToHex, Card, SeededRng } from '../../card/runtime/index.js';
import { LedgerApplet } from '../../card/applets/ledger/index.js';
import { ledgerParams, ledgerPersonalization, ledgerProfileSchema, certifyLedgerCard } from '../../host/profile/ledger.js';
import { EmulatorTransport } from '../../host/transport/index.js';
import { ISSUER, EDITOR_ROOT, SERVER_KEY } from '../applets/ledger/fixture.js';
import { LEDGER_AID } from '../../card/protocol/index.js';

const yaml = `
mode: prepaid
card_id: "0102030405060708"
currency: 978
max_balance: 10000
initial_balance: 1000
editor_root_key: "${bytesToHex(EDITOR_ROOT.publicKey)}"
issuer_key: "${bytesToHex(ISSUER.publicKey)}"
server_key: "${bytesToHex(SERVER_KEY.publicKey)}"
consent: { mode: above, threshold: 500, code: "1234" }
log_size: 8
`;

describe('ledger profile section', () => {
  it('builds params without secrets and a personalization the applet installs; certifies through a transport', async () => {
    const s = ledgerProfileSchema.parse(parse(yaml));
    const params = ledgerParams(s);
    expect(params).toEqual({ mode: 'prepaid', logSize: 8, ticketSlots: 4 });
    const card = new Card({ rng: new SeededRng('profile') });
    card.install(LedgerApplet, { aid: LEDGER_AID, params, personalization: ledgerPersonalization(s) });
    const t = new EmulatorTransport(card);
    await t.connect();
    await certifyLedgerCard(t, ISSUER, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
    expect(JSON.stringify(card.applets[0]!.params)).not.toContain('1234');
  });

  it('reports bad fields with their path', () => {
    const bad = (patch: Record<string, unknown>): string[] => {
      const r = ledgerProfileSchema.safeParse({ ...parse(yaml), ...patch });
      return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
    };
    expect(bad({ max_balance: undefined })).toContain('max_balance');
    expect(bad({ consent: { mode: 'always' } })).toContain('consent.code');
    expect(bad({ card_id: '0102' })).toContain('card_id');
    expect(bad({ issuer_key: '05' + 'ab'.repeat(64) })).toContain('issuer_key');
    expect(bad({ mode: 'credit' })).toContain('mode');
    expect(bad({ mode: 'postpaid' })).toEqual(expect.arrayContaining(['ceiling', 'mode']));
    expect(bad({ log_size: 0 })).toContain('log_size');
    expect(bad({ colour: 'red' })).toEqual(['']);
    // Removed with the host-random window (issue 18): a clear message, not a silent default.
    expect(bad({ replay_window: 16 })).toEqual(['replay_window']);
    const r = ledgerProfileSchema.safeParse({ ...parse(yaml), replay_window: 16 });
    expect(r.success ? '' : r.error.issues[0]!.message).toMatch(/one-use GET CHALLENGE.*delete this line/);
  });
});
