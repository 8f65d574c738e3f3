/**
 * Property test (fast-check): random sequences of DEBIT / LOAD / EXPORT / ACK / VALIDATE / TRANSFER
 * on a prepaid card A (tickets move to card B), each command possibly torn after a random
 * persistent write. After every power-up the invariants hold:
 *   balance = initial + committed loads − committed debits (loads by load counter, debits by log);
 *   the log holds exactly the committed debits (consecutive counters, each a debit the host sent);
 *   counters never go back; every receipt the host got is for a committed record, byte for byte;
 *   each ticket exists exactly once (on A, on B, or sealed in A's outbox), and a ticket validated
 *   on A is never on B.
 * The host follows the documented recovery: after a torn DEBIT it asks GET LAST RECEIPT when the
 * not-completed flag is set; it delivers a pending outbox before starting another transfer.
 * Guards: any half-applied command, a receipt for a debit the card does not hold, a lost or
 * duplicated ticket, an overwrite of unexported records.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CardPowerLostError, bytesToHex, hexToBytes, readU32, type Card } from '../../../card/runtime/index.js';
import { verifyDigest } from '../../../card/algorithms/index.js';
import { ISSUER, SERVER_KEY, CARD_ID, apdu, info, makeCard, offer, sw } from './fixture.js';
import type { DebitRequest } from '../../../host/backend/ledger/index.js';
import { FLAG, REC, ackDigest, receiptDigest } from '../../../card/protocol/index.js';

const N = 4;
const IDS = ['0000000000000001', '0000000000000002', '0000000000000003'].map(hexToBytes);

type Op =
  | { kind: 'debit'; price: number; tear: number }
  | { kind: 'load'; amount: number; tear: number }
  | { kind: 'export'; tear: number }
  | { kind: 'ack'; tear: number }
  | { kind: 'validate'; ticket: number; tear: number }
  | { kind: 'transfer'; ticket: number; tearA: number; tearB: number };

const tear = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 12 }));
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('debit' as const), price: fc.constantFrom(1, 7, 50, 300), tear }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('load' as const), amount: fc.constantFrom(10, 200, 5000), tear }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('export' as const), tear }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('ack' as const), tear }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('validate' as const), ticket: fc.integer({ min: 0, max: 2 }), tear }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('transfer' as const), ticket: fc.integer({ min: 0, max: 2 }), tearA: tear, tearB: tear }) },
);

/** Transmit with an optional tear; on a tear, power up again and return undefined. */
function send(card: Card, cmd: Uint8Array, tearAt: number): Uint8Array | undefined {
  if (tearAt > 0) card.tearAfterWrites(tearAt);
  try {
    const r = card.transmit(cmd);
    card.memory.disarmTear();
    return r;
  } catch (e) {
    if (!(e instanceof CardPowerLostError)) throw e;
    card.powerOn();
    return undefined;
  }
}

const ok9000 = (r: Uint8Array | undefined): r is Uint8Array => r !== undefined && sw(r) === 0x9000;
const body = (r: Uint8Array): Uint8Array => r.subarray(0, r.length - 2);

class Model {
  readonly a = makeCard({ logSize: N, ticketSlots: 3, initialBalance: 1000, limit: 20_000, seed: 'prop-a' });
  readonly b = makeCard({ cardId: hexToBytes('0b0b0b0b0b0b0b0b'), ticketSlots: 3, seed: 'prop-b' });
  readonly pubA = body(this.a.transmit(apdu.pubKey())).slice();
  readonly bKey = body(this.b.transmit(apdu.pubKey())).slice();
  readonly sent = new Map<string, DebitRequest>();
  readonly loads = new Map<number, number>();
  readonly settledRecords = new Map<number, Uint8Array>();
  readonly receipts: Uint8Array[] = [];
  readonly validatedOnA = new Set<string>();
  lastExport: Uint8Array | undefined;
  last = info(this.a);

  constructor() {
    for (const id of IDS) {
      const ch = body(this.a.transmit(apdu.challenge()));
      const t = ISSUER.issueTicket(CARD_ID, ch.subarray(0, 16), { id, event: 1, seat: 1, validFrom: 0, validTo: 0xffffffff });
      expect(sw(this.a.transmit(apdu.issue(t.ticket, t.signature)))).toBe(0x9000);
    }
  }

  run(op: Op): void {
    const a = this.a;
    switch (op.kind) {
      case 'debit': {
        const o = offer(a, op.price);
        this.sent.set(bytesToHex(o.challenge), o);
        const r = send(a, apdu.debit(o), op.tear);
        if (ok9000(r)) this.receipts.push(body(r).slice());
        else if (r === undefined && info(a).flags & FLAG.receiptPending) this.receipts.push(body(a.transmit(apdu.lastReceipt())).slice());
        break;
      }
      case 'load': {
        const ch = body(a.transmit(apdu.challenge()));
        const counter = readU32(ch, 16);
        this.loads.set(counter, op.amount);
        send(a, apdu.load(op.amount, counter, ISSUER.authorizeLoad(CARD_ID, ch.subarray(0, 16), op.amount, counter)), op.tear);
        break;
      }
      case 'export': {
        const r = send(a, apdu.exportLog(), op.tear);
        this.lastExport = ok9000(r) ? body(r).slice() : undefined;
        if (this.lastExport) {
          // The server imports the exported records (and keeps them) before it acknowledges.
          const first = readU32(this.lastExport, 4), last = readU32(this.lastExport, 8);
          const tx = info(a).tx;
          for (let c = first; c <= last; c++) this.settledRecords.set(c, body(a.transmit(apdu.readRecord(tx - c + 1))).slice());
        }
        break;
      }
      case 'ack': {
        const e = this.lastExport;
        if (e === undefined) break;
        const ec = readU32(e, 0), last = readU32(e, 8);
        send(a, apdu.ack(ec, last, SERVER_KEY.sign(ackDigest(CARD_ID, ec, last, e.slice(16, 48)))), op.tear);
        break;
      }
      case 'validate': {
        const id = IDS[op.ticket]!;
        const r = send(a, apdu.validate(id, new Uint8Array(16).fill(op.ticket), 5), op.tear);
        if (ok9000(r)) this.validatedOnA.add(bytesToHex(id));
        break;
      }
      case 'transfer': {
        const b = this.b;
        // Deliver a pending outbox first (the documented host protocol).
        if (sw(a.transmit(apdu.outbox())) === 0x9000 && info(b).flags & FLAG.inboxOpen) b.transmit(apdu.transferIn(body(a.transmit(apdu.outbox())).slice()));
        const nonce = body(b.transmit(apdu.nonce())).slice();
        const r = send(a, apdu.transferOut(IDS[op.ticket]!, this.bKey, nonce, 1), op.tearA);
        const sealed = ok9000(r) ? body(r).slice() : sw(a.transmit(apdu.outbox())) === 0x9000 ? body(a.transmit(apdu.outbox())).slice() : undefined;
        if (sealed) send(b, apdu.transferIn(sealed), op.tearB);
        break;
      }
    }
    this.check();
  }

  held(card: Card, id: Uint8Array): number {
    for (let i = 0; i < 3; i++) {
      const s = body(card.transmit(apdu.readTicket(i)));
      if (s[0] !== 0 && bytesToHex(s.subarray(1, 9)) === bytesToHex(id)) return s[0]!;
    }
    return 0;
  }

  check(): void {
    const a = this.a;
    const i = info(a);
    // Counters never go back.
    expect(i.tx).toBeGreaterThanOrEqual(this.last.tx);
    expect(i.loadCounter).toBeGreaterThanOrEqual(this.last.loadCounter);
    expect(i.exportCounter).toBeGreaterThanOrEqual(this.last.exportCounter);
    expect(i.settled).toBeGreaterThanOrEqual(this.last.settled);
    expect(i.settled).toBeLessThanOrEqual(i.tx);
    expect(i.tx - i.settled).toBeLessThanOrEqual(N);
    this.last = i;
    // The committed debits: settled ones at the server, the rest in the card's log.
    const records = new Map(this.settledRecords);
    for (let c = i.settled + 1; c <= i.tx; c++) records.set(c, body(a.transmit(apdu.readRecord(i.tx - c + 1))).slice());
    let debits = 0;
    const randoms = new Set<string>();
    for (let c = 1; c <= i.tx; c++) {
      const r = records.get(c);
      expect(r, `record ${c}`).toBeDefined();
      expect(readU32(r!, REC.counter)).toBe(c);
      const rnd = bytesToHex(r!.subarray(REC.challenge, REC.dateTime));
      expect(randoms.has(rnd), 'a card challenge in two records').toBe(false);
      randoms.add(rnd);
      const sent = this.sent.get(rnd);
      expect(sent, 'a record for a debit the host never sent').toBeDefined();
      expect(readU32(r!, REC.price)).toBe(sent!.price);
      debits += sent!.price;
    }
    let loaded = 0;
    for (let c = 1; c <= i.loadCounter; c++) loaded += this.loads.get(c)!;
    expect(i.value).toBe(1000 + loaded - debits);
    // Every receipt is for a committed record, exactly.
    for (const rc of this.receipts) {
      const rec = rc.subarray(0, REC.length);
      const c = readU32(rec, REC.counter);
      expect(c).toBeLessThanOrEqual(i.tx);
      expect(bytesToHex(records.get(c)!)).toBe(bytesToHex(rec));
      expect(verifyDigest(this.pubA, receiptDigest(rec), rc.subarray(REC.length))).toBe(true);
    }
    // Tickets: exactly one copy; validated on A ⇒ not on B.
    const outbox = sw(a.transmit(apdu.outbox())) === 0x9000;
    let missing = 0;
    for (const id of IDS) {
      const onA = this.held(a, id), onB = this.held(this.b, id);
      expect(onA !== 0 && onB !== 0, 'a ticket on both cards').toBe(false);
      if (this.validatedOnA.has(bytesToHex(id))) expect(onB, 'validated and transferred').toBe(0);
      if (onA === 0 && onB === 0) missing++;
    }
    // A ticket on neither card is the one sealed in A's outbox, waiting for delivery.
    expect(missing).toBeLessThanOrEqual(outbox && (info(this.b).flags & FLAG.inboxOpen) !== 0 ? 1 : 0);
  }
}

describe('ledger invariants under random operations and tears', () => {
  it('hold after every power-up', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 5, maxLength: 25 }), (ops) => {
        const m = new Model();
        for (const op of ops) m.run(op);
      }),
      { numRuns: 40, seed: 0x1ed9e6 },
    );
  }, 120_000);
});
