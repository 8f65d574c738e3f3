/**
 * Regression tests for the bugs the fuzzers found, one per bug, named after it.
 */
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../../card/runtime/index.js';
import { loadGolden } from '../golden/transcript.js';
import { ledgerTarget, paymentTarget } from './targets.js';
import { makeRig, sw } from '../applets/payment/fixture.js';
import { apdu } from '../../host/backend/payment/card-client.js';
import { sha256 } from '../../card/algorithms/sha256.js';

describe('fuzz regressions', () => {
  it('bug: a state-changing command with a short Le answered 6Cxx after it committed (SIGN TRANSACTION counter moved, signature lost)', async () => {
    const t = await paymentTarget();
    t.fresh();
    const g = loadGolden('payment');
    for (const e of g.slice(0, 7)) t.card.transmit(e.command); // … VERIFY payment code
    const sign = g[7]!.command.slice();
    sign[sign.length - 1] = 0x01; // Le = 1: far too short for the record and signature
    const r = t.card.transmit(sign);
    expect(bytesToHex(r)).toMatch(/^61[0-9a-f]{2}$/); // not 6Cxx: the result is held, not thrown away
    const full = t.card.transmit(hexToBytes(`00c00000${bytesToHex(r.subarray(1))}`));
    expect(bytesToHex(full)).toBe(bytesToHex(g[7]!.response)); // the very signature the golden session got
  });

  it('bug: EXPORT LOG with a short Le moved the export counter and answered 6Cxx', () => {
    const t = ledgerTarget();
    t.fresh();
    const g = loadGolden('ledger');
    for (const e of g.slice(0, 5)) t.card.transmit(e.command); // … GET CHALLENGE, one DEBIT recorded
    const r = t.card.transmit(hexToBytes('8056000001'));
    expect(bytesToHex(r)).toMatch(/^61/);
    const full = t.card.transmit(hexToBytes(`00c00000${bytesToHex(r.subarray(1))}`));
    expect(full.length).toBe(r[1]! + 2);
    expect(bytesToHex(full.subarray(-2))).toBe('9000');
    expect(bytesToHex(full.subarray(0, 4))).toBe('00000001'); // export counter 1, delivered
  });

  it('bug: GET PROFILE with a short Le on T=1 answered 6Cxx, consumed the payment-code approval and discarded the release (issue 14)', async () => {
    const rig = await makeRig({}, 'fuzz-get-profile');
    const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
    expect((await rig.client.storeProfile(rig.auth.enrol(rig.cardId, await rig.client.getChallenge(), enc('name=Alice;card=4111111111111111')))).sw).toBe(0x9000);
    const digest = sha256(enc('order 9'));
    const ch = rig.auth.releaseChallenge(digest);
    const approved = (): number => sw(rig.card.transmit(apdu(0x00, 0x20, 0x00, 0x81))); // VERIFY retry query: 9000 while approved
    await rig.client.verifyCode(enc('1234'));
    expect(approved()).toBe(0x9000);
    expect(rig.card.protocol).toBe('T=1');
    const r = rig.card.transmit(apdu(0x80, 0xe6, 0x00, 0x00, Uint8Array.from([...digest, ...ch]), 0x10)); // Le = 16: too short
    expect(bytesToHex(r)).toMatch(/^61[0-9a-f]{2}$/); // not 6Cxx: the release is held, not thrown away
    const full = rig.card.transmit(hexToBytes(`00c00000${bytesToHex(r.subarray(1))}`));
    expect(sw(full)).toBe(0x9000);
    expect(full.length).toBe(r[1]! + 2);
    // One approval bought exactly one release, which the authentication server accepts…
    const env = rig.auth.release({ certificate: rig.certificate, challenge: ch, response: full.subarray(0, -2) }, rig.auth.publicKey);
    expect(env).toBeDefined();
    expect(sw(rig.card.transmit(hexToBytes('00c0000000')))).toBe(0x6985); // delivered once
    // …and is spent: no second release without a new VERIFY.
    expect(approved()).toBe(0x63c3);
    expect(sw(rig.card.transmit(apdu(0x80, 0xe6, 0x00, 0x00, Uint8Array.from([...digest, ...ch]), 0x100)))).toBe(0x6982);
  });

  it('a read-only command with a short Le still gets 6Cxx (nothing changed, resend is harmless)', () => {
    const t = ledgerTarget();
    t.fresh();
    expect(bytesToHex(t.card.transmit(hexToBytes('8040000001')))).toMatch(/^6c/);
  });
});
