/**
 * Ledger applet behaviour through APDUs: prepaid DEBIT with receipts, postpaid ceiling, consent by
 * payment code, replay (the one-use card challenge), the cyclic log (READ RECORD, N+1 slots), EXPORT/ACK,
 * LOAD, certificates — and the error status word of every command, each leaving memory unchanged.
 * Guards: debiting without funds or past the ceiling, accepting a forged or replayed offer, a
 * reload before the log reached the server, a replayed load or acknowledgement, overwriting
 * unexported records, leaking the private key, a malformed APDU that changes state.
 */
import { describe, expect, it } from 'vitest';
import { buildCommand, hexToBytes, readU32, type Card } from '../../../card/runtime/index.js';
import { SW } from '../../../apdu-specs/status-words.js';
import { verifyDigest } from '../../../card/algorithms/index.js';
import { ISSUER, SERVER_KEY, CARD_ID, CODE, EDITOR_B, apdu, info, loadCard, makeCard, newServer, offer, offerFor, ok, settleCard, sw } from './fixture.js';
import { FLAG, LEDGER_AID, REC, ackDigest, receiptDigest } from '../../../card/protocol/index.js';

/** Send, expect `expected`, and check persistent memory did not change. */
function refused(card: Card, cmd: Uint8Array, expected: number): void {
  const before = card.memory.generation;
  const snap = new Map([...card.memory.cells].map(([k, v]) => [k, v.slice()]));
  expect(sw(card.transmit(cmd)).toString(16)).toBe(expected.toString(16));
  for (const [k, v] of card.memory.cells) {
    if (k.includes('paymentCode/tries')) continue; // a wrong code costs a try, by design
    expect(v, k).toEqual(snap.get(k));
  }
  if (expected !== SW.VERIFY_FAILED_RETRIES) expect(card.memory.generation).toBe(before);
}

describe('prepaid DEBIT', () => {
  it('debits, counts, logs and returns a receipt signed by the card key over the committed record', () => {
    const card = makeCard();
    const pub = ok(card.transmit(apdu.pubKey()));
    const o = offer(card, 250);
    const r = ok(card.transmit(apdu.debit(o)));
    const rec = r.subarray(0, REC.length);
    expect(readU32(rec, REC.counter)).toBe(1);
    expect(readU32(rec, REC.before)).toBe(1000);
    expect(readU32(rec, REC.after)).toBe(750);
    expect(rec.subarray(REC.challenge, REC.dateTime)).toEqual(o.challenge);
    expect(verifyDigest(pub, receiptDigest(rec), r.subarray(REC.length))).toBe(true);
    expect(info(card)).toMatchObject({ value: 750, tx: 1, flags: FLAG.certified });
    expect(ok(card.transmit(apdu.readRecord(1)))).toEqual(rec);
  });

  it('refuses insufficient funds, wrong currency, zero price, forged and replayed offers — nothing changed', () => {
    const card = makeCard({ initialBalance: 100 });
    refused(card, apdu.debit(offer(card, 101)), SW.LEDGER_INSUFFICIENT_FUNDS);
    refused(card, apdu.debit(offer(card, 10, { currency: 840 })), SW.WRONG_DATA);
    refused(card, apdu.debit(offer(card, 0)), SW.WRONG_DATA);
    refused(card, apdu.debit(offer(card, 10, { badSig: true })), SW.LEDGER_BAD_SIGNATURE);
    const o = offer(card, 10);
    ok(card.transmit(apdu.debit(o)));
    // Its challenge is consumed: the same DEBIT again finds none outstanding (6985)...
    refused(card, apdu.debit(o), SW.CONDITIONS_NOT_SATISFIED);
    // ...or another one (6912).
    ok(card.transmit(apdu.challenge()));
    refused(card, apdu.debit(o), SW.LEDGER_REPLAYED);
  });

  // Issue 18 (docs/security.md "DEBIT replay"): pay per use accepts an offer once. The offer's
  // random is the card's one-use challenge and the editor signature covers it, so a captured
  // DEBIT APDU is refused forever, after any number of other debits, whatever the host does.
  it('a captured DEBIT is refused after any number of other debits (the card challenge is bound and used once)', () => {
    const card = makeCard({ initialBalance: 1_000, logSize: 64 });
    const captured = apdu.debit(offer(card, 10));
    ok(card.transmit(captured));
    for (let i = 0; i < 40; i++) ok(card.transmit(apdu.debit(offer(card, 10))));
    expect(info(card).value).toBe(1_000 - 41 * 10);
    refused(card, captured, SW.CONDITIONS_NOT_SATISFIED);
    // With a fresh challenge outstanding (the attacker asks for one), still refused; and that
    // attempt used the challenge up, so replaying the capture again finds none.
    ok(card.transmit(apdu.challenge()));
    refused(card, captured, SW.LEDGER_REPLAYED);
    refused(card, captured, SW.CONDITIONS_NOT_SATISFIED);
    // After a reset too.
    card.reset();
    ok(card.transmit(apdu.challenge()));
    refused(card, captured, SW.LEDGER_REPLAYED);
    expect(info(card).value).toBe(1_000 - 41 * 10);
  });

  it('the editor signature covers the challenge and the date-time: an offer moved onto the outstanding challenge or re-dated fails it', () => {
    const card = makeCard();
    const stale = offerFor(new Uint8Array(16).fill(7), 10);
    const ch = ok(card.transmit(apdu.challenge())).subarray(0, 16);
    refused(card, apdu.debit({ ...stale, challenge: ch }), SW.LEDGER_BAD_SIGNATURE);
    const o = offer(card, 10);
    refused(card, apdu.debit({ ...o, dateTime: o.dateTime + 1 }), SW.LEDGER_BAD_SIGNATURE);
    expect(info(card).tx).toBe(0);
  });

  it('the challenge lives until used, replaced, deselected or reset; any DEBIT that reaches it uses it up', () => {
    const card = makeCard();
    const selectLedger = buildCommand(0x00, 0xa4, 0x04, 0x00, { data: hexToBytes(LEDGER_AID) });
    refused(card, apdu.debit(offerFor(new Uint8Array(16), 10)), SW.CONDITIONS_NOT_SATISFIED); // none issued
    // Replaced by a second GET CHALLENGE.
    const first = offer(card, 10);
    ok(card.transmit(apdu.challenge()));
    refused(card, apdu.debit(first), SW.LEDGER_REPLAYED);
    // Cleared by a deselect (SELECT again) and by a reset.
    const o1 = offer(card, 10);
    ok(card.transmit(selectLedger));
    refused(card, apdu.debit(o1), SW.CONDITIONS_NOT_SATISFIED);
    const o2 = offer(card, 10);
    card.reset();
    refused(card, apdu.debit(o2), SW.CONDITIONS_NOT_SATISFIED);
    // A refused DEBIT (insufficient funds) used its challenge: the same offer with funds is not accepted either.
    const o3 = offer(card, 2_000);
    refused(card, apdu.debit(o3), SW.LEDGER_INSUFFICIENT_FUNDS);
    expect(loadCard(card, 5_000)).toBe(0x9000);
    refused(card, apdu.debit(o3), SW.CONDITIONS_NOT_SATISFIED);
    ok(card.transmit(apdu.debit(offer(card, 2_000))));
  });

  it('the price signed is the price debited: a changed price or editor fails the signature', () => {
    const card = makeCard();
    refused(card, apdu.debit({ ...offer(card, 10), price: 1 }), SW.LEDGER_BAD_SIGNATURE);
    refused(card, apdu.debit({ ...offer(card, 10), editorId: EDITOR_B }), SW.LEDGER_BAD_SIGNATURE);
  });

  it('malformed DEBITs: wrong Lc → 6700, P1/P2 → 6A86, wrong class → 6E00; nothing changed', () => {
    const card = makeCard();
    const good = apdu.debit(offer(card, 5));
    const short = buildCommand(0x80, 0x50, 0, 0, { data: good.subarray(5, 5 + 125), ne: 256 });
    refused(card, short, SW.WRONG_LENGTH);
    const p1 = good.slice();
    p1[2] = 1;
    refused(card, p1, SW.INCORRECT_P1P2);
    const c = good.slice();
    c[0] = 0x90 & 0xf0 | 0x20; // 0xB0: not a ledger class
    refused(card, c, SW.CLA_NOT_SUPPORTED);
    refused(card, good.subarray(0, 4), SW.WRONG_LENGTH); // case 1 form of a case-4 command
  });
});

describe('postpaid', () => {
  it('accumulates use under the ceiling and refuses past it; ACK subtracts the settled amount', () => {
    const card = makeCard({ mode: 'postpaid', limit: 300 });
    ok(card.transmit(apdu.debit(offer(card, 200))));
    refused(card, apdu.debit(offer(card, 101)), SW.LEDGER_CEILING_REACHED);
    ok(card.transmit(apdu.debit(offer(card, 100))));
    expect(info(card).value).toBe(300);
    const server = newServer();
    settleCard(card, server);
    expect(info(card)).toMatchObject({ value: 0, settled: 2, tx: 2 });
    expect(server.perUser.get('0102030405060708')).toBe(300);
  });

  it('LOAD is not for postpaid cards (6A81)', () => {
    const card = makeCard({ mode: 'postpaid' });
    expect(loadCard(card, 10)).toBe(SW.FUNCTION_NOT_SUPPORTED);
  });
});

describe('consent by payment code', () => {
  it('always: DEBIT needs VERIFY first, the consent is used up by one DEBIT', () => {
    const card = makeCard({ consent: 'always' });
    refused(card, apdu.debit(offer(card, 5)), SW.SECURITY_STATUS_NOT_SATISFIED);
    expect(sw(card.transmit(apdu.verify()))).toBe(0x63c3);
    ok(card.transmit(apdu.verify(CODE)));
    expect(sw(card.transmit(apdu.verify()))).toBe(0x9000);
    ok(card.transmit(apdu.debit(offer(card, 5))));
    refused(card, apdu.debit(offer(card, 5)), SW.SECURITY_STATUS_NOT_SATISFIED);
  });

  it('above a threshold only; a wrong code counts down to 6983 and then blocks debits', () => {
    const card = makeCard({ consent: 'above', threshold: 50 });
    ok(card.transmit(apdu.debit(offer(card, 50))));
    refused(card, apdu.debit(offer(card, 51)), SW.SECURITY_STATUS_NOT_SATISFIED);
    const bad = new TextEncoder().encode('9999');
    expect(sw(card.transmit(apdu.verify(bad)))).toBe(0x63c2);
    expect(sw(card.transmit(apdu.verify(bad)))).toBe(0x63c1);
    expect(sw(card.transmit(apdu.verify(bad)))).toBe(SW.AUTH_METHOD_BLOCKED);
    expect(sw(card.transmit(apdu.verify(CODE)))).toBe(SW.AUTH_METHOD_BLOCKED);
    refused(card, apdu.debit(offer(card, 51)), SW.AUTH_METHOD_BLOCKED);
  });

  it('VERIFY errors: wrong P2 → 6A86; no code configured → 6A88', () => {
    const card = makeCard({ consent: 'always' });
    refused(card, buildCommand(0x00, 0x20, 0x00, 0x80, { data: CODE }), SW.INCORRECT_P1P2);
    refused(makeCard(), apdu.verify(CODE), SW.REFERENCE_DATA_NOT_FOUND);
  });
});

describe('cyclic log, export and acknowledgement', () => {
  it('keeps N records, newest first; refuses a DEBIT that would overwrite an unexported record', () => {
    const card = makeCard({ logSize: 3 });
    for (let i = 1; i <= 3; i++) ok(card.transmit(apdu.debit(offer(card, i))));
    refused(card, apdu.debit(offer(card, 9)), SW.LEDGER_LOG_NOT_EXPORTED);
    expect(readU32(ok(card.transmit(apdu.readRecord(1))), REC.price)).toBe(3);
    expect(readU32(ok(card.transmit(apdu.readRecord(3))), REC.price)).toBe(1);
    refused(card, apdu.readRecord(4), SW.RECORD_NOT_FOUND);
    refused(card, apdu.readRecord(0), SW.RECORD_NOT_FOUND);
    refused(card, buildCommand(0x00, 0xb2, 1, 0x0c, { ne: 82 }), SW.INCORRECT_P1P2);
    settleCard(card, newServer());
    for (let i = 4; i <= 6; i++) ok(card.transmit(apdu.debit(offer(card, i)))); // wraps over settled slots
    refused(card, apdu.debit(offer(card, 9)), SW.LEDGER_LOG_NOT_EXPORTED);
    expect(readU32(ok(card.transmit(apdu.readRecord(1))), REC.counter)).toBe(6);
  });

  it('EXPORT with nothing to export → 6A83; ACK: replayed, wrong range, forged, and stale export refused', () => {
    const card = makeCard();
    refused(card, apdu.exportLog(), SW.RECORD_NOT_FOUND);
    refused(card, apdu.ack(1, 1, new Uint8Array(64)), SW.LEDGER_REPLAYED);
    ok(card.transmit(apdu.debit(offer(card, 5))));
    const server = newServer();
    const exp1 = ok(card.transmit(apdu.exportLog()));
    const exp2 = ok(card.transmit(apdu.exportLog())); // supersedes export 1
    expect(readU32(exp2, 0)).toBe(readU32(exp1, 0) + 1);
    const digest1 = exp1.slice(16, 48);
    refused(card, apdu.ack(1, 1, SERVER_KEY.sign(ackDigest(CARD_ID, 1, 1, digest1))), SW.LEDGER_REPLAYED);
    refused(card, apdu.ack(2, 2, SERVER_KEY.sign(ackDigest(CARD_ID, 2, 2, digest1))), SW.WRONG_DATA);
    refused(card, apdu.ack(2, 1, ISSUER.key.sign(ackDigest(CARD_ID, 2, 1, digest1))), SW.LEDGER_BAD_SIGNATURE);
    refused(card, buildCommand(0x80, 0x58, 0, 0, { data: new Uint8Array(71) }), SW.WRONG_LENGTH);
    const good = apdu.ack(2, 1, SERVER_KEY.sign(ackDigest(CARD_ID, 2, 1, digest1)));
    ok(card.transmit(good));
    refused(card, good, SW.LEDGER_REPLAYED);
    expect(info(card)).toMatchObject({ settled: 1, flags: FLAG.certified });
    expect(server.recordCount).toBe(0);
  });
});

describe('LOAD', () => {
  it('reloads with the issuer authorisation; refused while unexported, past max balance, replayed, without challenge', () => {
    const card = makeCard({ initialBalance: 100, limit: 1000 });
    expect(loadCard(card, 400)).toBe(0x9000);
    expect(info(card)).toMatchObject({ value: 500, loadCounter: 1 });
    ok(card.transmit(apdu.debit(offer(card, 50))));
    expect(loadCard(card, 10)).toBe(SW.LEDGER_LOG_NOT_EXPORTED);
    settleCard(card, newServer());
    expect(loadCard(card, 551)).toBe(SW.LEDGER_MAX_BALANCE);
    expect(loadCard(card, 10, { counter: 1 })).toBe(SW.LEDGER_REPLAYED);
    // A captured authorisation replayed on a new challenge fails the signature.
    const ch = ok(card.transmit(apdu.challenge()));
    const sig = ISSUER.authorizeLoad(CARD_ID, ch.subarray(0, 16), 10, 2);
    ok(card.transmit(apdu.load(10, 2, sig)));
    expect(sw(card.transmit(apdu.load(10, 2, sig)))).toBe(SW.CONDITIONS_NOT_SATISFIED); // challenge used
    ok(card.transmit(apdu.challenge()));
    expect(sw(card.transmit(apdu.load(10, 3, sig)))).toBe(SW.LEDGER_BAD_SIGNATURE);
    expect(info(card)).toMatchObject({ value: 460, loadCounter: 2 });
    ok(card.transmit(apdu.challenge()));
    refused(card, buildCommand(0x80, 0x54, 0, 0, { data: new Uint8Array(10) }), SW.WRONG_LENGTH);
  });
});

describe('keys and certificate', () => {
  it('the public key is readable, the private key never: no command answers its bytes', () => {
    const card = makeCard();
    const priv = [...card.memory.cells].find(([k]) => k.endsWith('/privateKey'))![1];
    const answers: Uint8Array[] = [];
    for (let ins = 0; ins < 256; ins += 2) for (const cla of [0x00, 0x80]) answers.push(card.transmit(buildCommand(cla, ins, 0, 0, { ne: 256 })));
    const hex = Buffer.from(priv).toString('hex');
    for (const a of answers) expect(Buffer.from(a).toString('hex')).not.toContain(hex.slice(0, 16));
  });

  it('PUT CERTIFICATE: once, only with the issuer signature over this card and key', () => {
    const card = makeCard({ certify: false });
    refused(card, apdu.cert(), SW.REFERENCE_DATA_NOT_FOUND);
    const pub = ok(card.transmit(apdu.pubKey()));
    refused(card, apdu.putCert(ISSUER.certify(new Uint8Array(8), pub)), SW.LEDGER_BAD_SIGNATURE);
    refused(card, buildCommand(0x80, 0x44, 0, 0, { data: new Uint8Array(10) }), SW.WRONG_LENGTH);
    ok(card.transmit(apdu.putCert(ISSUER.certify(CARD_ID, pub))));
    refused(card, apdu.putCert(ISSUER.certify(CARD_ID, pub)), SW.CONDITIONS_NOT_SATISFIED);
    const c = ok(card.transmit(apdu.cert()));
    expect(ISSUER.checkCertificate(c.subarray(0, 8), c.subarray(8, 73), c.subarray(73))).toBe(true);
  });

  it('GET LAST RECEIPT without any debit → 6A83; unknown INS → 6D00', () => {
    const card = makeCard();
    refused(card, apdu.lastReceipt(), SW.RECORD_NOT_FOUND);
    refused(card, buildCommand(0x80, 0x7e, 0, 0), SW.INS_NOT_SUPPORTED);
  });
});

describe('card image', () => {
  it('a ledger card saved and loaded keeps balance, log, counters and key (all state is persistent memory)', async () => {
    const { serializeImage, parseImage } = await import('../../../card/image/index.js');
    const { APPLET_REGISTRY } = await import('../../../card/applets/index.js');
    const card = makeCard();
    ok(card.transmit(apdu.debit(offer(card, 30))));
    const pub = ok(card.transmit(apdu.pubKey()));
    const text = serializeImage(card);
    const copy = parseImage(text, { registry: APPLET_REGISTRY });
    copy.powerOn();
    expect(info(copy)).toEqual(info(card));
    expect(ok(copy.transmit(apdu.pubKey()))).toEqual(pub);
    expect(ok(copy.transmit(apdu.readRecord(1)))).toEqual(ok(card.transmit(apdu.readRecord(1))));
    const r = ok(copy.transmit(apdu.debit(offer(copy, 20))));
    expect(verifyDigest(pub, receiptDigest(r.subarray(0, REC.length)), r.subarray(REC.length))).toBe(true);
  });
});
