/**
 * The secret-code rules, one for every applet (issue 18; docs/security.md "Code verification
 * lifetime"): a code verification is valid until the applet is deselected on that channel or the
 * card is reset, and a failed presentation clears it (OwnerPin clears "validated" before comparing).
 * The payment and ledger codes authorise one SIGN TRANSACTION / GET PROFILE / DEBIT each. The SIM's
 * CHV1 gives the card-wide CARDHOLDER_VERIFIED fact, which follows CHV1's state
 * (test/applets/sim/pins-files.test.ts). Guards: the ledger's consent surviving a deselect (the
 * audit's gap), the payment code surviving one.
 */
import { describe, expect, it } from 'vitest';
import { buildCommand, hexToBytes } from '../../card/runtime/index.js';
import { LEDGER_AID, PAYMENT_AID } from '../../card/protocol/index.js';
import { SW } from '../../apdu-specs/status-words.js';
import { CODE, apdu, makeCard, offer, sw } from './ledger/fixture.js';
import { makeRig, order } from './payment/fixture.js';

const selectAid = (aid: string): Uint8Array => buildCommand(0x00, 0xa4, 0x04, 0x00, { data: hexToBytes(aid) });
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('code verification lifetime: until deselect or reset, for every applet', () => {
  it('ledger: the consent code is cleared by a deselect (reselect) and by a reset', () => {
    const card = makeCard({ consent: 'always' });
    expect(sw(card.transmit(apdu.verify(CODE)))).toBe(0x9000);
    expect(sw(card.transmit(apdu.verify()))).toBe(0x9000);
    expect(sw(card.transmit(selectAid(LEDGER_AID)))).toBe(0x9000); // SELECT again: deselect, then select
    expect(sw(card.transmit(apdu.verify()))).toBe(0x63c3);
    expect(sw(card.transmit(apdu.debit(offer(card, 5))))).toBe(SW.SECURITY_STATUS_NOT_SATISFIED);
    expect(sw(card.transmit(apdu.verify(CODE)))).toBe(0x9000);
    card.reset();
    expect(sw(card.transmit(apdu.debit(offer(card, 5))))).toBe(SW.SECURITY_STATUS_NOT_SATISFIED);
    expect(sw(card.transmit(apdu.verify(CODE)))).toBe(0x9000);
    expect(sw(card.transmit(apdu.debit(offer(card, 5))))).toBe(0x9000);
  });

  it('ledger: a wrong code after a good one clears the consent', () => {
    const card = makeCard({ consent: 'always' });
    expect(sw(card.transmit(apdu.verify(CODE)))).toBe(0x9000);
    expect(sw(card.transmit(apdu.verify(enc('9999'))))).toBe(0x63c2);
    expect(sw(card.transmit(apdu.debit(offer(card, 5))))).toBe(SW.SECURITY_STATUS_NOT_SATISFIED);
  });

  it('payment: the code is cleared by a deselect (reselect) and by a wrong code', async () => {
    const rig = await makeRig();
    expect((await rig.client.verifyCode(enc('1234'))).sw).toBe(0x9000);
    expect(await rig.transport.transmit(selectAid(PAYMENT_AID))).toBeDefined();
    expect((await rig.client.sign({ ...order(), challenge: new Uint8Array(16) })).sw).toBe(SW.SECURITY_STATUS_NOT_SATISFIED);
    expect((await rig.client.verifyCode(enc('1234'))).sw).toBe(0x9000);
    expect((await rig.client.verifyCode(enc('9999'))).sw & 0xfff0).toBe(0x63c0);
    expect((await rig.client.sign({ ...order(), challenge: new Uint8Array(16) })).sw).toBe(SW.SECURITY_STATUS_NOT_SATISFIED);
  });
});
