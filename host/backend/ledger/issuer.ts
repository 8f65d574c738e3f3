/**
 * The issuer (the seed's authority for the card population): certifies each card's generated
 * public key, authorises LOADs (card id, card challenge, amount, load counter), issues tickets
 * bound to one card and one challenge, and authorises refunds. Also keeps what it loaded, so the
 * loads − debits invariant can be checked against its books.
 */
import { bytesToHex, concat, u32 } from '../../../card/runtime/index.js';
import { certDigest, loadDigest, refundAuthDigest, refundedDigest, ticketDigest } from '../../../card/protocol/index.js';
import { SigningKey, verify } from './keys.js';

export interface Ticket {
  readonly id: Uint8Array;
  readonly event: number;
  readonly seat: number;
  readonly validFrom: number;
  readonly validTo: number;
}

export function encodeTicket(t: Ticket): Uint8Array {
  if (t.id.length !== 8) throw new RangeError(`"ticket.id" expected 8 bytes, got ${t.id.length}`);
  return concat(t.id, u32(t.event), u32(t.seat), u32(t.validFrom), u32(t.validTo));
}

export class LedgerIssuer {
  readonly key: SigningKey;
  /** Total loaded per card id (hex). */
  readonly loaded = new Map<string, number>();
  constructor(key: SigningKey = SigningKey.generate()) {
    this.key = key;
  }
  get publicKey(): Uint8Array {
    return this.key.publicKey;
  }
  certify(cardId: Uint8Array, cardPublicKey: Uint8Array): Uint8Array {
    return this.key.sign(certDigest(cardId, cardPublicKey));
  }
  /** True if the certificate signature binds this card id to this public key. */
  checkCertificate(cardId: Uint8Array, cardPublicKey: Uint8Array, signature: Uint8Array): boolean {
    return verify(this.publicKey, certDigest(cardId, cardPublicKey), signature);
  }
  authorizeLoad(cardId: Uint8Array, challenge: Uint8Array, amount: number, loadCounter: number): Uint8Array {
    const sig = this.key.sign(loadDigest(cardId, challenge, amount, loadCounter));
    return sig;
  }
  /** Book a load the card confirmed (its answer was 9000). */
  booked(cardId: Uint8Array, amount: number): void {
    const k = bytesToHex(cardId);
    this.loaded.set(k, (this.loaded.get(k) ?? 0) + amount);
  }
  issueTicket(cardId: Uint8Array, challenge: Uint8Array, ticket: Ticket): { ticket: Uint8Array; signature: Uint8Array } {
    const body = encodeTicket(ticket);
    return { ticket: body, signature: this.key.sign(ticketDigest(cardId, challenge, body)) };
  }
  authorizeRefund(cardId: Uint8Array, ticketId: Uint8Array, challenge: Uint8Array): Uint8Array {
    return this.key.sign(refundAuthDigest(cardId, ticketId, challenge));
  }
  /** The card's proof that it deleted the ticket (checked before crediting the refund). */
  checkRefundProof(cardId: Uint8Array, cardPublicKey: Uint8Array, ticketId: Uint8Array, challenge: Uint8Array, proof: Uint8Array): boolean {
    return verify(cardPublicKey, refundedDigest(cardId, ticketId, challenge), proof);
  }
}
