/**
 * The telephone card and the ledger on one card (issue 6; TS 51.011 §10.3.6-9 Advice of Charge):
 * the SIM applet (default, basic channel) and the postpaid ledger applet (logical channel 1) meter
 * the same call. Each charged tick is an EF_ACM INCREASE of one unit on the SIM and one ledger
 * DEBIT priced at one unit × EF_PUCT's price per unit (EUR 0.10 → 10 cents, currency 978); the
 * totals agree, and both meters stop at the same tick: INCREASE past EF_ACMmax answers 9850, the
 * DEBIT past the ceiling (ACMmax × price) answers LEDGER_CEILING_REACHED, neither changing anything.
 * Guards: applets sharing state across channels, a price derived from EF_PUCT with the wrong
 * exponent, meters that disagree at the limit.
 */
import { describe, expect, it } from 'vitest';
import { SW } from '../../apdu-specs/status-words.js';
import { LedgerApplet } from '../../card/applets/ledger/index.js';
import { installSim } from '../../card/applets/sim/index.js';
import { decodePuct, decodeU24 } from '../../card/fs/codecs.js';
import { Card, SeededRng, VirtualClock, bytesToHex, hexToBytes } from '../../card/runtime/index.js';
import { CARD_ID, EDITOR_ROOT, EUR, ISSUER, SERVER_KEY, apdu, data, offerFor, sw } from './ledger/fixture.js';
import type { DebitRequest } from '../../host/backend/ledger/index.js';
import { PERSO, pinField } from './sim/helpers.js';
import { INFO, LEDGER_AID } from '../../card/protocol/index.js';

const ACM_MAX = 7;

function jointCard(pricePerUnitCents: number): Card {
  const card = new Card({ rng: new SeededRng('joint'), clock: new VirtualClock() });
  installSim(card, {}, { ...PERSO, acmMax: ACM_MAX });
  card.install(LedgerApplet, {
    aid: LEDGER_AID,
    params: { mode: 'postpaid', logSize: 16, ticketSlots: 0 },
    personalization: { cardId: CARD_ID, currency: EUR, limit: ACM_MAX * pricePerUnitCents, editorRootKey: EDITOR_ROOT.publicKey, issuerKey: ISSUER.publicKey, serverKey: SERVER_KEY.publicKey },
  });
  card.powerOn();
  return card;
}

const hx = (card: Card, h: string): string => bytesToHex(card.transmit(hexToBytes(h)));
/** A ledger command on logical channel 1 (CLA b1..b2 = 01). */
const ch1 = (cmd: Uint8Array): Uint8Array => Uint8Array.of(cmd[0]! | 0x01, ...cmd.subarray(1));

/** SIM side on the basic channel: the body of a GET RESPONSE after 9Fxx, or the SW alone. */
function sim(card: Card, h: string): string {
  const r = hx(card, h);
  return r.startsWith('9f') ? hx(card, `a0c00000${r.slice(2)}`) : r;
}

describe('Advice of Charge and the ledger meter the same call', () => {
  it('per tick: ACM INCREASE 1 unit and DEBIT units × PUCT; totals agree and both stop at ACMmax', () => {
    // The price per unit comes from the SIM's EF_PUCT, as a phone would read it.
    const probe = jointCard(10);
    sim(probe, 'a0a40000027f20');
    expect(sim(probe, `a020000108${pinField('1234')}`)).toBe('9000');
    sim(probe, 'a0a40000026f41');
    const puct = decodePuct(hexToBytes(sim(probe, 'a0b0000005').slice(0, -4)));
    expect(puct).toEqual({ currency: 'EUR', eppu: 0.1 });
    const cents = Math.round(puct.eppu * 100); // ISO 4217 EUR: 2 minor units
    expect(cents).toBe(10);

    const card = jointCard(cents);
    expect(hx(card, '0070000001')).toBe('019000'); // MANAGE CHANNEL open → channel 1
    expect(sw(card.transmit(hexToBytes(`01a404000a${LEDGER_AID}`)))).toBe(0x9000);
    sim(card, 'a0a40000027f20');
    expect(sim(card, `a020000108${pinField('1234')}`)).toBe('9000');
    sim(card, 'a0a40000026f39'); // EF_ACM

    const price = cents * 1; // one unit per tick
    // One DEBIT per tick, each answering the card's fresh challenge (on the ledger's channel 1).
    const tick = (): DebitRequest => offerFor(data(card.transmit(ch1(apdu.challenge()))).subarray(0, 16), price, { what: 'call-unit' });
    for (let t = 1; t <= ACM_MAX; t++) {
      const inc = sim(card, 'a032000003000001');
      expect(inc.slice(-4)).toBe('9000');
      expect(decodeU24(hexToBytes(inc.slice(0, 6)))).toBe(t);
      const r = card.transmit(ch1(apdu.debit(tick())));
      expect(sw(r), `tick ${t}`).toBe(0x9000);
    }
    const acm = decodeU24(hexToBytes(sim(card, 'a0b2010403').slice(0, 6)));
    const used = readValue(card);
    expect(acm).toBe(ACM_MAX);
    expect(used).toBe(acm * cents); // the two meters agree: 7 units × EUR 0.10 = 70 cents

    // Tick 8: both refuse, both unchanged.
    expect(sim(card, 'a032000003000001')).toBe('9850');
    const over = card.transmit(ch1(apdu.debit(tick())));
    expect(sw(over)).toBe(SW.LEDGER_CEILING_REACHED);
    expect(decodeU24(hexToBytes(sim(card, 'a0b2010403').slice(0, 6)))).toBe(ACM_MAX);
    expect(readValue(card)).toBe(used);
  });
});

function readValue(card: Card): number {
  const r = card.transmit(ch1(apdu.info()));
  expect(sw(r)).toBe(0x9000);
  return new DataView(r.buffer, r.byteOffset).getUint32(INFO.value); // postpaid: cumulative use
}
