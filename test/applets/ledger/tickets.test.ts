/**
 * E-tickets: ISSUE (issuer-signed, bound to this card and a one-use challenge), VALIDATE once at a
 * gate (signed answer; a retry with the same gate challenge re-answers), REFUND (issuer-authorised,
 * card-signed proof), TRANSFER sealed to another card (deleted here, stored there, exactly once).
 * Guards: a ticket validated twice, a ticket copied (replayed issue, replayed or misdirected
 * transfer blob), a used ticket transferred or refunded, a transfer lost with its response.
 */
import { describe, expect, it } from 'vitest';
import { buildCommand, hexToBytes, type Card } from '../../../card/runtime/index.js';
import { SW } from '../../../apdu-specs/status-words.js';
import { u32 } from '../../../card/runtime/index.js';
import { verifyDigest } from '../../../card/algorithms/index.js';
import { ISSUER, CARD_ID, apdu, info, makeCard, ok, sw } from './fixture.js';
import { FLAG, TICKET_STATE, validateDigest, refundedDigest } from '../../../card/protocol/index.js';

const ID = hexToBytes('7469636b65740001');
const GATE = new Uint8Array(16).fill(0x47);

function issue(card: Card, id = ID, cardId = CARD_ID, validTo = 2_000_000_000): number {
  const ch = ok(card.transmit(apdu.challenge()));
  const t = ISSUER.issueTicket(cardId, ch.subarray(0, 16), { id, event: 42, seat: 7, validFrom: 1_000, validTo });
  return sw(card.transmit(apdu.issue(t.ticket, t.signature)));
}

function slots(card: Card): number[] {
  const n = 3;
  return Array.from({ length: n }, (_, i) => ok(card.transmit(apdu.readTicket(i)))[0]!);
}

describe('ISSUE and VALIDATE', () => {
  it('validates once with a signed answer; the same gate challenge re-answers, another is refused', () => {
    const card = makeCard();
    expect(issue(card)).toBe(0x9000);
    const pub = ok(card.transmit(apdu.pubKey()));
    const sig = ok(card.transmit(apdu.validate(ID, GATE, 5_000)));
    expect(verifyDigest(pub, validateDigest(CARD_ID, ID, GATE, u32(5_000)), sig)).toBe(true);
    expect(slots(card)[0]).toBe(TICKET_STATE.used);
    const again = ok(card.transmit(apdu.validate(ID, GATE, 5_000)));
    expect(verifyDigest(pub, validateDigest(CARD_ID, ID, GATE, u32(5_000)), again)).toBe(true);
    expect(sw(card.transmit(apdu.validate(ID, new Uint8Array(16).fill(1), 5_001)))).toBe(SW.LEDGER_TICKET_USED);
  });

  it('refuses outside the validity window, unknown tickets and malformed data', () => {
    const card = makeCard();
    issue(card);
    expect(sw(card.transmit(apdu.validate(ID, GATE, 999)))).toBe(SW.LEDGER_TICKET_INVALID_NOW);
    expect(sw(card.transmit(apdu.validate(ID, GATE, 2_000_000_001)))).toBe(SW.LEDGER_TICKET_INVALID_NOW);
    expect(sw(card.transmit(apdu.validate(new Uint8Array(8), GATE, 5_000)))).toBe(SW.REFERENCE_DATA_NOT_FOUND);
    expect(sw(card.transmit(buildCommand(0x80, 0x62, 0, 0, { data: new Uint8Array(27), ne: 64 })))).toBe(SW.WRONG_LENGTH);
    expect(sw(card.transmit(apdu.readTicket(3)))).toBe(SW.INCORRECT_P1P2);
    expect(slots(card)[0]).toBe(TICKET_STATE.valid);
  });

  it('ISSUE refuses: no challenge, another card, forged, duplicate, full, bad validity', () => {
    const card = makeCard();
    const t = ISSUER.issueTicket(CARD_ID, new Uint8Array(16), { id: ID, event: 1, seat: 1, validFrom: 0, validTo: 10 });
    expect(sw(card.transmit(apdu.issue(t.ticket, t.signature)))).toBe(SW.CONDITIONS_NOT_SATISFIED);
    expect(issue(card, ID, new Uint8Array(8))).toBe(SW.LEDGER_BAD_SIGNATURE);
    expect(issue(card)).toBe(0x9000);
    expect(issue(card)).toBe(SW.FILE_EXISTS);
    // The issue message replayed after a fresh challenge does not verify (one-use challenge).
    ok(card.transmit(apdu.challenge()));
    expect(sw(card.transmit(apdu.issue(t.ticket, t.signature)))).toBe(SW.LEDGER_BAD_SIGNATURE);
    expect(issue(card, hexToBytes('0000000000000002'), CARD_ID, 500)).toBe(SW.WRONG_DATA);
    expect(issue(card, hexToBytes('0000000000000002'))).toBe(0x9000);
    expect(issue(card, hexToBytes('0000000000000003'))).toBe(0x9000);
    expect(issue(card, hexToBytes('0000000000000004'))).toBe(SW.NOT_ENOUGH_MEMORY);
    expect(sw(card.transmit(buildCommand(0x80, 0x60, 0, 0, { data: new Uint8Array(87) })))).toBe(SW.WRONG_LENGTH);
  });
});

describe('REFUND', () => {
  it('deletes an unused ticket on the issuer authorisation and proves it; used ones are refused', () => {
    const card = makeCard();
    issue(card);
    const pub = ok(card.transmit(apdu.pubKey()));
    const ch = ok(card.transmit(apdu.challenge())).subarray(0, 16);
    const proof = ok(card.transmit(apdu.refund(ID, ISSUER.authorizeRefund(CARD_ID, ID, ch))));
    expect(verifyDigest(pub, refundedDigest(CARD_ID, ID, ch), proof)).toBe(true);
    expect(slots(card)[0]).toBe(TICKET_STATE.empty);
    issue(card);
    ok(card.transmit(apdu.validate(ID, GATE, 5_000)));
    const ch2 = ok(card.transmit(apdu.challenge())).subarray(0, 16);
    expect(sw(card.transmit(apdu.refund(ID, ISSUER.authorizeRefund(CARD_ID, ID, ch2))))).toBe(SW.LEDGER_TICKET_USED);
  });

  it('refuses without challenge, with a forged or stale authorisation, unknown ticket, bad length', () => {
    const card = makeCard();
    issue(card);
    expect(sw(card.transmit(apdu.refund(ID, new Uint8Array(64))))).toBe(SW.CONDITIONS_NOT_SATISFIED);
    const ch = ok(card.transmit(apdu.challenge())).subarray(0, 16);
    const auth = ISSUER.authorizeRefund(CARD_ID, ID, ch);
    ok(card.transmit(apdu.challenge()));
    expect(sw(card.transmit(apdu.refund(ID, auth)))).toBe(SW.LEDGER_BAD_SIGNATURE);
    ok(card.transmit(apdu.challenge()));
    expect(sw(card.transmit(apdu.refund(new Uint8Array(8), auth)))).toBe(SW.REFERENCE_DATA_NOT_FOUND);
    expect(sw(card.transmit(buildCommand(0x80, 0x64, 0, 0, { data: new Uint8Array(71), ne: 64 })))).toBe(SW.WRONG_LENGTH);
    expect(slots(card)[0]).toBe(TICKET_STATE.valid);
  });
});

describe('TRANSFER', () => {
  const B_ID = hexToBytes('0b0b0b0b0b0b0b0b');

  it('moves the ticket: deleted on A, stored on B, exactly one copy; the blob cannot be imported twice', () => {
    const a = makeCard();
    const b = makeCard({ cardId: B_ID, seed: 'card-b' });
    issue(a);
    const bKey = ok(b.transmit(apdu.pubKey()));
    const nonce = ok(b.transmit(apdu.nonce()));
    expect(ok(b.transmit(apdu.nonce()))).toEqual(nonce); // same nonce until a ticket arrives
    const sealed = ok(a.transmit(apdu.transferOut(ID, bKey, nonce)));
    expect(slots(a)[0]).toBe(TICKET_STATE.empty);
    expect(info(a).flags & FLAG.outbox).toBe(FLAG.outbox);
    expect(ok(a.transmit(apdu.outbox()))).toEqual(sealed); // lost response: read it again
    ok(b.transmit(apdu.transferIn(sealed)));
    expect(slots(b)[0]).toBe(TICKET_STATE.valid);
    expect(sw(b.transmit(apdu.transferIn(sealed)))).toBe(SW.CONDITIONS_NOT_SATISFIED);
    ok(b.transmit(apdu.nonce())); // a new nonce: the old blob is stale
    expect(sw(b.transmit(apdu.transferIn(sealed)))).toBe(SW.LEDGER_BAD_SIGNATURE);
    expect(sw(b.transmit(apdu.validate(ID, GATE, 5_000)))).toBe(0x9000);
    expect(sw(a.transmit(apdu.validate(ID, GATE, 5_000)))).toBe(SW.REFERENCE_DATA_NOT_FOUND);
  });

  it('a blob sealed to B does not open on C; used tickets and uncertified cards cannot transfer', () => {
    const a = makeCard();
    const b = makeCard({ cardId: B_ID, seed: 'card-b' });
    const c = makeCard({ cardId: hexToBytes('0c0c0c0c0c0c0c0c'), seed: 'card-c' });
    issue(a);
    const sealed = ok(a.transmit(apdu.transferOut(ID, ok(b.transmit(apdu.pubKey())), ok(b.transmit(apdu.nonce())))));
    ok(c.transmit(apdu.nonce()));
    expect(sw(c.transmit(apdu.transferIn(sealed)))).toBe(SW.LEDGER_BAD_SIGNATURE);
    // Outbox full: a new transfer needs P1=01 (previous delivered).
    issue(a, hexToBytes('0000000000000009'));
    const cKey = ok(c.transmit(apdu.pubKey()));
    const cNonce = ok(c.transmit(apdu.nonce()));
    expect(sw(a.transmit(apdu.transferOut(hexToBytes('0000000000000009'), cKey, cNonce)))).toBe(SW.CONDITIONS_NOT_SATISFIED);
    ok(a.transmit(apdu.validate(hexToBytes('0000000000000009'), GATE, 5_000)));
    expect(sw(a.transmit(apdu.transferOut(hexToBytes('0000000000000009'), cKey, cNonce, 1)))).toBe(SW.LEDGER_TICKET_USED);
    const u = makeCard({ certify: false, seed: 'uncertified' });
    issue(u);
    expect(sw(u.transmit(apdu.transferOut(ID, cKey, cNonce)))).toBe(SW.CONDITIONS_NOT_SATISFIED);
    expect(sw(u.transmit(apdu.transferOut(ID, cKey.subarray(0, 64), cNonce)))).toBe(SW.WRONG_LENGTH);
    expect(sw(u.transmit(apdu.outbox()))).toBe(SW.REFERENCE_DATA_NOT_FOUND);
    expect(sw(b.transmit(buildCommand(0x80, 0x6a, 0, 0, { data: sealed.subarray(1) })))).toBe(SW.WRONG_LENGTH);
  });
});
