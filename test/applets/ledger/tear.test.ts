/**
 * The exhaustive tear sweep (card/runtime/tear.ts) over every state-changing ledger command: the
 * power is cut after each persistent write in turn; after every power-up the applet's persistent
 * state must be exactly the state before the command or exactly the state after it (all-or-
 * nothing), and a DEBIT torn after its commit must show the "last transaction not completed"
 * flag and hand out the receipt of the committed record with GET LAST RECEIPT.
 * Guards: a write outside the transaction (half a debit: balance without record, record without
 * counter, ticket deleted without its sealed copy), a receipt signed before the commit.
 */
import { describe, expect, it } from 'vitest';
import { bytesToHex, readU32, tearSweep, type Card } from '../../../card/runtime/index.js';
import { verifyDigest } from '../../../card/algorithms/index.js';
import { SW } from '../../../apdu-specs/status-words.js';
import { ISSUER, SERVER_KEY, CARD_ID, CODE, apdu, info, makeCard, offer, ok, sw } from './fixture.js';
import { hexToBytes } from '../../../card/runtime/index.js';
import { SigningKey } from '../../../host/backend/ledger/index.js';
import { FLAG, REC, receiptDigest, refundedDigest, LEDGER_AID, ackDigest } from '../../../card/protocol/index.js';

const IGNORED = ['/receiptPending'];

/** The ledger's persistent state as one string (minus the not-completed flag, checked apart). */
function state(card: Card): string {
  const parts: string[] = [];
  for (const [k, v] of card.memory.cells) if (k.startsWith(LEDGER_AID) && !IGNORED.some((i) => k.endsWith(i))) parts.push(`${k}=${bytesToHex(v)}`);
  return parts.join(';');
}

/** Sweep `cmd`; every torn point is all-before or all-after. Returns the points that were "after". */
function sweepAtomic(card: Card, cmd: Uint8Array, extra?: (torn: boolean, after: boolean, card: Card) => void): { writes: number; afterPoints: number } {
  const start = card.snapshot();
  const before = state(card);
  const rsp = card.transmit(cmd);
  expect(sw(rsp), 'the untorn command succeeds').toBe(0x9000);
  const after = state(card);
  expect(after).not.toBe(before);
  card.restore(start);
  let afterPoints = 0;
  const res = tearSweep(card, cmd, (p) => {
    const s = state(card);
    const isAfter = s === after;
    expect(isAfter || s === before, `point ${p.point}: neither before nor after`).toBe(true);
    if (isAfter) afterPoints++;
    extra?.(p.torn, isAfter, card);
  });
  expect(res.writes).toBeGreaterThan(0);
  return { writes: res.writes, afterPoints };
}

describe('tear sweep: purse and log', () => {
  it('DEBIT (prepaid): all-or-nothing; after commit the receipt is recoverable, before commit none exists', () => {
    const card = makeCard();
    const pub = ok(card.transmit(apdu.pubKey()));
    let recovered = 0;
    const r = sweepAtomic(card, apdu.debit(offer(card, 100)), (torn, after, c) => {
      const i = info(c);
      if (!after) {
        expect(i.tx).toBe(0);
        expect(i.flags & FLAG.receiptPending).toBe(0);
        return;
      }
      expect(i.value).toBe(900);
      if (torn && i.flags & FLAG.receiptPending) {
        const last = ok(c.transmit(apdu.lastReceipt()));
        expect(readU32(last, REC.counter)).toBe(1);
        expect(verifyDigest(pub, receiptDigest(last.subarray(0, REC.length)), last.subarray(REC.length))).toBe(true);
        expect(info(c).flags & FLAG.receiptPending).toBe(0);
        recovered++;
      }
    });
    // value, counter, record, newest slot, "receipt pending" set (one transaction), then cleared.
    expect(r.writes).toBeGreaterThanOrEqual(6);
    expect(recovered).toBeGreaterThan(0);
  });

  it('DEBIT (postpaid), GET LAST RECEIPT, EXPORT LOG, ACK EXPORT', () => {
    const card = makeCard({ mode: 'postpaid' });
    sweepAtomic(card, apdu.debit(offer(card, 100)));
    // The sweep's last run completed: the debit is committed. GET LAST RECEIPT clears the flag:
    // with it set first (as after a tear), the clearing write is swept.
    const flagKey = [...card.memory.cells.keys()].find((k) => k.endsWith('/receiptPending'))!;
    card.memory.cells.get(flagKey)![0] = 1;
    IGNORED.length = 0;
    sweepAtomic(card, apdu.lastReceipt());
    IGNORED.push('/receiptPending');
    const exp = sweepAtomic(card, apdu.exportLog());
    expect(exp.writes).toBeGreaterThanOrEqual(5);
    const e = info(card);
    const d = ok(card.transmit(apdu.exportLog())); // export 2 (supersedes; digest identical)
    const sig = SERVER_KEY.sign(ackDigest(CARD_ID, e.exportCounter + 1, 1, d.slice(16, 48)));
    sweepAtomic(card, apdu.ack(e.exportCounter + 1, 1, sig), (_t, after, c) => {
      if (after) expect(info(c)).toMatchObject({ value: 0, settled: 1 });
      else expect(info(c)).toMatchObject({ value: 100, settled: 0 });
    });
  });

  it('LOAD and PUT CERTIFICATE', () => {
    const card = makeCard({ certify: false });
    const ch = ok(card.transmit(apdu.challenge()));
    sweepAtomic(card, apdu.load(200, 1, ISSUER.authorizeLoad(CARD_ID, ch.subarray(0, 16), 200, 1)), (_t, after, c) => {
      expect(info(c)).toMatchObject(after ? { value: 1200, loadCounter: 1 } : { value: 1000, loadCounter: 0 });
    });
    const pub = ok(card.transmit(apdu.pubKey()));
    sweepAtomic(card, apdu.putCert(ISSUER.certify(CARD_ID, pub)));
  });

  it('REGISTER EDITOR (seed 004): a new entry and a re-keyed entry are all-or-nothing', () => {
    const card = makeCard();
    const k1 = SigningKey.fromSecret(new Uint8Array(32).fill(0x41)).publicKey;
    const k2 = SigningKey.fromSecret(new Uint8Array(32).fill(0x42)).publicKey;
    const reg = (id: Uint8Array, key: Uint8Array): Uint8Array => {
      const c = ISSUER.certifyEditor(id, key);
      return apdu.registerEditor(c);
    };
    sweepAtomic(card, reg(hexToBytes('ed00000a'), k1));
    sweepAtomic(card, reg(hexToBytes('ed00000b'), k1));
    sweepAtomic(card, reg(hexToBytes('ed00000a'), k2));
    // Torn anywhere, a newer key is all-or-nothing and an older certificate is never accepted after it.
    const old = ISSUER.certifyEditor(hexToBytes('ed00000b'), k2, { keyVersion: 0 });
    expect(sw(card.transmit(apdu.registerEditor(old)))).toBe(SW.LEDGER_REPLAYED);
  });

  it('VERIFY: a tear never restores a try (the counter is written before the comparison)', () => {
    const card = makeCard({ consent: 'always' });
    const triesKey = [...card.memory.cells.keys()].find((k) => k.endsWith('paymentCode/tries'))!;
    for (const code of [CODE, new TextEncoder().encode('0000')]) {
      const start = card.snapshot();
      const wrong = code !== CODE;
      const res = tearSweep(card, apdu.verify(code), (p) => {
        const left = card.memory.cells.get(triesKey)![0]!;
        // Torn right after the decrement: the try is spent. A right code restores it only by a
        // later write; a wrong code never does.
        if (p.point === 1 || wrong) expect(left, `point ${p.point}`).toBe(2);
        if (p.torn) expect(sw(card.transmit(apdu.debit(offer(card, 1)))), 'consent never survives a power-up').toBe(0x6982);
      });
      expect(res.writes).toBeGreaterThan(0);
      card.restore(start);
    }
  });
});

describe('tear sweep: tickets', () => {
  const ID = hexToBytes('7469636b65740001');
  const GATE = new Uint8Array(16).fill(0x47);
  const issueCmd = (card: Card): Uint8Array => {
    const ch = ok(card.transmit(apdu.challenge()));
    const t = ISSUER.issueTicket(CARD_ID, ch.subarray(0, 16), { id: ID, event: 1, seat: 2, validFrom: 0, validTo: 0xffffffff });
    return apdu.issue(t.ticket, t.signature);
  };

  it('ISSUE, VALIDATE, REFUND', () => {
    const card = makeCard();
    sweepAtomic(card, issueCmd(card));
    const start = card.snapshot();
    sweepAtomic(card, apdu.validate(ID, GATE, 10));
    card.restore(start);
    const ch = ok(card.transmit(apdu.challenge())).subarray(0, 16);
    sweepAtomic(card, apdu.refund(ID, ISSUER.authorizeRefund(CARD_ID, ID, ch)));
  });

  it('REFUND (issue 18): every torn point keeps the ticket, or deletes it with the proof recoverable by the same REFUND', () => {
    const card = makeCard();
    ok(card.transmit(issueCmd(card)));
    const pub = ok(card.transmit(apdu.pubKey()));
    const ch = ok(card.transmit(apdu.challenge())).subarray(0, 16);
    const cmd = apdu.refund(ID, ISSUER.authorizeRefund(CARD_ID, ID, ch));
    let recovered = 0;
    let kept = 0;
    const r = sweepAtomic(card, cmd, (torn, after, c) => {
      const held = ok(c.transmit(apdu.readTicket(0)))[0] !== 0;
      expect(held).toBe(!after);
      if (!torn) return;
      if (after) {
        // The answer was lost with the power: the same command again hands out the proof.
        const proof = ok(c.transmit(cmd));
        expect(verifyDigest(pub, refundedDigest(CARD_ID, ID, ch), proof)).toBe(true);
        recovered++;
      } else {
        kept++;
        expect(sw(c.transmit(cmd)), 'the challenge died with the power: a new authorisation is needed').toBe(0x6985);
      }
    });
    expect(r.writes).toBeGreaterThan(0);
    expect(recovered, 'torn after the commit: proof recovered').toBeGreaterThan(0);
    expect(kept, 'torn before the commit: ticket kept').toBeGreaterThan(0);
  });

  it('GET TRANSFER NONCE, TRANSFER OUT, TRANSFER IN: never zero or two copies', () => {
    const a = makeCard();
    const b = makeCard({ cardId: hexToBytes('0b0b0b0b0b0b0b0b'), seed: 'card-b' });
    ok(a.transmit(issueCmd(a)));
    sweepAtomic(b, apdu.nonce());
    const nonce = ok(b.transmit(apdu.nonce()));
    const bKey = ok(b.transmit(apdu.pubKey()));
    let sealed: Uint8Array | undefined;
    sweepAtomic(a, apdu.transferOut(ID, bKey, nonce), (_t, after, c) => {
      const held = ok(c.transmit(apdu.readTicket(0)))[0] !== 0;
      const outbox = sw(c.transmit(apdu.outbox())) === 0x9000;
      expect(held !== outbox, 'exactly one of: ticket held, sealed copy in the outbox').toBe(true);
      expect(after).toBe(outbox);
      if (outbox) sealed = ok(c.transmit(apdu.outbox()));
    });
    sweepAtomic(b, apdu.transferIn(sealed!), (_t, after, c) => {
      expect(ok(c.transmit(apdu.readTicket(0)))[0] !== 0).toBe(after);
      expect((info(c).flags & FLAG.inboxOpen) !== 0).toBe(!after);
    });
  });
});
