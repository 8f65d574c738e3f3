/**
 * E-tickets of the ledger applet (e-commerce seed: tickets kept on the SIM, checked at a gate).
 * - ISSUE: the issuer signs (card id, one-use card challenge, ticket); bound to this card and not
 *   replayable. One atomic write of the slot.
 * - VALIDATE: the slot is rewritten as "used" with the gate challenge and time in one atomic
 *   write, then the card signs (card id, ticket id, gate challenge, gate time). A second
 *   validation is refused; the same gate challenge again re-answers (a lost response is retried).
 * - REFUND: issuer-authorised deletion of an unused ticket; the deleting write and the refund
 *   record (ticket id, the card challenge the issuer signed) are ONE transaction, and the
 *   card-signed proof is released after it (no proof for a ticket still held). A REFUND torn
 *   after the commit loses neither: the same REFUND again (same ticket id, same issuer
 *   authorisation) finds the refund record, checks the authorisation over the recorded challenge
 *   and re-answers the proof, as GET LAST RECEIPT does for DEBIT (issue 18).
 * - TRANSFER: the sender seals (ticket, its card id, public key, issuer certificate, its signature
 *   over the ticket, the recipient's key and nonce) to the recipient's key (seal.ts), and in ONE
 *   transaction deletes the ticket and stores the sealed blob in an outbox (re-readable, so a lost
 *   response never loses the ticket). The recipient keeps one persistent nonce until a ticket
 *   arrives and consumes it in the transaction that stores the ticket: exactly one copy exists.
 */
import { SW } from '../../../apdu-specs/status-words.js';
import type { CommandSpec } from '../../../apdu-specs/types.js';
import { CardError, checkParams, equalBytes, readU32, type AppletContext, type CommandApdu, type PBool, type PBytes, type PVarBytes, type Reply } from '../../runtime/index.js';
import { cryptoOf } from '../../algorithms/provider.js';
import { certStatement, refundAuthStatement, refundedDigest, ticketStatement, transferDigest, transferStatement, validateDigest, FLAG, SLOT, TICKET, TICKET_STATE, TRANSFER } from '../../protocol/ledger.js';
import { open, seal, SEAL_OVERHEAD } from './seal.js';

export interface TicketDeps {
  cardId(): Uint8Array;
  publicKey(): Uint8Array;
  issuerKey(): Uint8Array;
  certificate(): Uint8Array | undefined;
  sign(digest: Uint8Array): Uint8Array;
  privateScalar(): bigint;
  takeChallenge(): Uint8Array | undefined;
}

export const SEALED_LENGTH = TRANSFER.length + SEAL_OVERHEAD;

export class Tickets {
  private readonly slots: PBytes;
  private readonly outbox: PVarBytes;
  private readonly nonceValue: PBytes;
  private readonly inboxOpen: PBool;
  /** The last committed refund: ticket id (8) || the card challenge its authorisation covers (16). */
  private readonly lastRefund: PBytes;

  constructor(private readonly ctx: AppletContext, private readonly count: number, private readonly deps: TicketDeps) {
    const s = ctx.persistent.scope('tickets');
    this.slots = s.bytes('slots', Math.max(1, count) * SLOT.length);
    this.outbox = s.varBytes('outbox', SEALED_LENGTH);
    this.nonceValue = s.bytes('nonce', 16);
    this.inboxOpen = s.bool('inboxOpen');
    this.lastRefund = s.bytes('lastRefund', 8 + 16);
  }

  flags(): number {
    return (this.outbox.length > 0 ? FLAG.outbox : 0) | (this.inboxOpen.get() ? FLAG.inboxOpen : 0);
  }

  private slot(i: number): Uint8Array {
    return this.slots.view().subarray(i * SLOT.length, (i + 1) * SLOT.length);
  }

  private find(id: Uint8Array): number {
    for (let i = 0; i < this.count; i++) {
      const s = this.slot(i);
      if (s[SLOT.state] !== TICKET_STATE.empty && equalBytes(s.subarray(SLOT.ticket, SLOT.ticket + 8), id)) return i;
    }
    return -1;
  }

  private free(): number {
    for (let i = 0; i < this.count; i++) if (this.slot(i)[SLOT.state] === TICKET_STATE.empty) return i;
    return -1;
  }

  /** Store a ticket in a free slot (one atomic write); throws if duplicate or full. */
  private placeCheck(ticket: Uint8Array): number {
    if (readU32(ticket, TICKET.validTo) < readU32(ticket, TICKET.validFrom)) throw new CardError(SW.WRONG_DATA, 'validity ends before it starts');
    if (this.find(ticket.subarray(0, 8)) >= 0) throw new CardError(SW.FILE_EXISTS, 'ticket already held');
    const i = this.free();
    if (i < 0) throw new CardError(SW.NOT_ENOUGH_MEMORY, 'no free ticket slot');
    return i;
  }

  private slotBytes(state: number, ticket: Uint8Array): Uint8Array {
    const o = new Uint8Array(SLOT.length);
    o[SLOT.state] = state;
    o.set(ticket, SLOT.ticket);
    return o;
  }

  issue(a: CommandApdu): Reply {
    if (a.data.length !== TICKET.length + 64) throw new CardError(SW.WRONG_LENGTH);
    const ticket = a.data.subarray(0, TICKET.length);
    const challenge = this.deps.takeChallenge();
    if (challenge === undefined) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'GET CHALLENGE first');
    if (!cryptoOf(this.ctx).p256VerifyMessage(this.deps.issuerKey(), ticketStatement(this.deps.cardId(), challenge, ticket), a.data.subarray(TICKET.length))) throw new CardError(SW.LEDGER_BAD_SIGNATURE);
    const i = this.placeCheck(ticket);
    this.slots.setAt(i * SLOT.length, this.slotBytes(TICKET_STATE.valid, ticket));
    return {};
  }

  validate(a: CommandApdu): Reply {
    if (a.data.length !== 28) throw new CardError(SW.WRONG_LENGTH);
    const id = a.data.subarray(0, 8);
    const gateChallenge = a.data.subarray(8, 24);
    const gateTime = a.data.subarray(24, 28);
    const i = this.find(id);
    if (i < 0) throw new CardError(SW.REFERENCE_DATA_NOT_FOUND, 'no such ticket');
    const s = this.slot(i);
    const answer = (): Reply => ({ data: this.deps.sign(validateDigest(this.deps.cardId(), id, gateChallenge, gateTime)) });
    if (s[SLOT.state] === TICKET_STATE.used) {
      // A retry of the validation that was committed but whose answer was lost.
      if (equalBytes(s.subarray(SLOT.gateChallenge, SLOT.gateTime), gateChallenge) && equalBytes(s.subarray(SLOT.gateTime), gateTime)) return answer();
      throw new CardError(SW.LEDGER_TICKET_USED);
    }
    const t = readU32(gateTime, 0);
    if (t < readU32(s, SLOT.ticket + TICKET.validFrom) || t > readU32(s, SLOT.ticket + TICKET.validTo)) throw new CardError(SW.LEDGER_TICKET_INVALID_NOW);
    const used = this.slotBytes(TICKET_STATE.used, s.subarray(SLOT.ticket, SLOT.gateChallenge));
    used.set(gateChallenge, SLOT.gateChallenge);
    used.set(gateTime, SLOT.gateTime);
    this.slots.setAt(i * SLOT.length, used);
    return answer();
  }

  refund(a: CommandApdu): Reply {
    if (a.data.length !== 72) throw new CardError(SW.WRONG_LENGTH);
    const id = a.data.subarray(0, 8);
    const auth = a.data.subarray(8);
    const proof = (challenge: Uint8Array): Reply => ({ data: this.deps.sign(refundedDigest(this.deps.cardId(), id, challenge)) });
    // A retry of the refund that was committed but whose answer was lost (a tear, a lost response).
    const last = this.lastRefund.view();
    if (equalBytes(last.subarray(0, 8), id) && this.find(id) < 0 && cryptoOf(this.ctx).p256VerifyMessage(this.deps.issuerKey(), refundAuthStatement(this.deps.cardId(), id, last.subarray(8)), auth)) {
      return proof(last.slice(8));
    }
    const challenge = this.deps.takeChallenge();
    if (challenge === undefined) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'GET CHALLENGE first');
    const i = this.find(id);
    if (i < 0) throw new CardError(SW.REFERENCE_DATA_NOT_FOUND, 'no such ticket');
    if (this.slot(i)[SLOT.state] === TICKET_STATE.used) throw new CardError(SW.LEDGER_TICKET_USED);
    if (!cryptoOf(this.ctx).p256VerifyMessage(this.deps.issuerKey(), refundAuthStatement(this.deps.cardId(), id, challenge), auth)) throw new CardError(SW.LEDGER_BAD_SIGNATURE);
    const record = new Uint8Array(24);
    record.set(id);
    record.set(challenge, 8);
    this.ctx.beginTransaction();
    this.slots.setAt(i * SLOT.length, new Uint8Array(SLOT.length));
    this.lastRefund.set(record);
    this.ctx.commitTransaction();
    return proof(challenge);
  }

  read(a: CommandApdu): Reply {
    // P2 is 00 (the dispatcher checked the declaration); the slot (P1) against the layout: one past
    // the card's ticket slots is a wrong P1 too.
    if (a.p1 >= this.count) throw new CardError(SW.INCORRECT_P1P2);
    return { data: this.slot(a.p1).slice() };
  }

  nonce(): Reply {
    if (!this.inboxOpen.get()) {
      const n = this.ctx.rng.fill(new Uint8Array(16));
      this.ctx.beginTransaction();
      this.nonceValue.set(n);
      this.inboxOpen.set(true);
      this.ctx.commitTransaction();
    }
    return { data: this.nonceValue.get() };
  }

  transferOut(a: CommandApdu, spec: CommandSpec): Reply {
    if (a.apduCase === 2) {
      if (this.outbox.length === 0) throw new CardError(SW.REFERENCE_DATA_NOT_FOUND, 'outbox empty');
      return { data: this.outbox.get() };
    }
    if (a.data.length !== 8 + 65 + 16) throw new CardError(SW.WRONG_LENGTH);
    checkParams(a, spec);
    // P1=01: the previous sealed ticket was delivered; its outbox copy may be replaced.
    if (this.outbox.length > 0 && a.p1 !== 1) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'outbox holds an undelivered ticket');
    const cert = this.deps.certificate();
    if (cert === undefined) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'card not certified');
    const id = a.data.subarray(0, 8);
    const recipient = a.data.subarray(8, 73);
    const nonce = a.data.subarray(73, 89);
    const i = this.find(id);
    if (i < 0) throw new CardError(SW.REFERENCE_DATA_NOT_FOUND, 'no such ticket');
    const s = this.slot(i);
    if (s[SLOT.state] === TICKET_STATE.used) throw new CardError(SW.LEDGER_TICKET_USED);
    if (equalBytes(recipient, this.deps.publicKey())) throw new CardError(SW.WRONG_DATA, 'transfer to itself');
    const ticket = s.slice(SLOT.ticket, SLOT.gateChallenge);
    const plain = new Uint8Array(TRANSFER.length);
    plain.set(ticket, TRANSFER.ticket);
    plain.set(this.deps.cardId(), TRANSFER.fromCard);
    plain.set(this.deps.publicKey(), TRANSFER.fromKey);
    plain.set(cert, TRANSFER.cert);
    plain.set(this.deps.sign(transferDigest(this.deps.cardId(), ticket, recipient, nonce)), TRANSFER.signature);
    const sealed = seal(recipient, plain, this.ctx.rng.fill(new Uint8Array(48)));
    if (sealed === undefined) throw new CardError(SW.WRONG_DATA, 'recipient key not on the curve');
    this.ctx.beginTransaction();
    this.slots.setAt(i * SLOT.length, new Uint8Array(SLOT.length));
    this.outbox.set(sealed);
    this.ctx.commitTransaction();
    return { data: sealed };
  }

  transferIn(a: CommandApdu): Reply {
    if (a.data.length !== SEALED_LENGTH) throw new CardError(SW.WRONG_LENGTH);
    if (!this.inboxOpen.get()) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'GET TRANSFER NONCE first');
    const plain = open(this.deps.privateScalar(), a.data);
    if (plain === undefined || plain.length !== TRANSFER.length) throw new CardError(SW.LEDGER_BAD_SIGNATURE, 'not sealed to this card');
    const ticket = plain.subarray(TRANSFER.ticket, TRANSFER.fromCard);
    const fromCard = plain.subarray(TRANSFER.fromCard, TRANSFER.fromKey);
    const fromKey = plain.subarray(TRANSFER.fromKey, TRANSFER.cert);
    if (!cryptoOf(this.ctx).p256VerifyMessage(this.deps.issuerKey(), certStatement(fromCard, fromKey), plain.subarray(TRANSFER.cert, TRANSFER.signature))) throw new CardError(SW.LEDGER_BAD_SIGNATURE, 'sender not certified');
    const signed = transferStatement(fromCard, ticket, this.deps.publicKey(), this.nonceValue.view());
    if (!cryptoOf(this.ctx).p256VerifyMessage(fromKey, signed, plain.subarray(TRANSFER.signature), false)) throw new CardError(SW.LEDGER_BAD_SIGNATURE, 'transfer signature (or stale nonce)');
    const i = this.placeCheck(ticket);
    this.ctx.beginTransaction();
    this.slots.setAt(i * SLOT.length, this.slotBytes(TICKET_STATE.valid, ticket));
    this.inboxOpen.set(false);
    this.ctx.commitTransaction();
    return {};
  }
}
