/**
 * The software interface (IL of WO 00/63859 claim 1): it offers a use of the software, signed for
 * its editor, bound to a random and the date-time; it accepts the use only on a receipt that
 * the card signed over exactly that offer, with a card key the issuer certified. A receipt for an
 * older offer (or the same receipt twice) is refused: only the last offer issued is open, and it
 * closes when its receipt is accepted.
 *
 * The offer's random is the card's one-use challenge (LedgerCard.challenge(), issue 18): the
 * editor signs it with the offer, so the card accepts the DEBIT once and a captured DEBIT is
 * refused forever. Flow: challenge = card.challenge(); offer = il.offer(…, challenge);
 * receipt = card.debit(offer); il.acceptReceipt(receipt, certificate).
 */
import { bytesToHex, equalBytes } from '../../../card/runtime/index.js';
import { CHALLENGE_LENGTH, certDigest, offerDigest, receiptDigest } from '../../../card/protocol/index.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { SigningKey, decodeRecord, verify, type UsageRecord } from './keys.js';
import { LedgerBackendError } from './errors.js';
import type { DebitRequest } from './card-client.js';

/** An offer-signing key: the editor root (the seed's authority signing on the editors' behalf) or an editor's own registered key. */
export class OfferSigner {
  constructor(readonly key: SigningKey = SigningKey.generate()) {}
  get publicKey(): Uint8Array {
    return this.key.publicKey;
  }
  /** The signature over the whole offer, the card's challenge and the date-time included (card/protocol offerDigest). */
  sign(editorId: Uint8Array, offerHash: Uint8Array, price: number, currency: number, challenge: Uint8Array, dateTime: number): Uint8Array {
    if (challenge.length !== CHALLENGE_LENGTH) throw new RangeError(`OfferSigner.sign: "challenge" expected ${CHALLENGE_LENGTH} bytes (the card's GET CHALLENGE value), got ${challenge.length}`);
    return this.key.sign(offerDigest(editorId, offerHash, price, currency, challenge, dateTime));
  }
}

export interface CardCertificate {
  readonly cardId: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly signature: Uint8Array;
}

export interface Offer extends DebitRequest {
  readonly description: string;
}

export class SoftwareInterface {
  private current: Offer | undefined;
  constructor(
    readonly editorId: Uint8Array,
    private readonly signer: OfferSigner,
    private readonly issuerKey: Uint8Array,
  ) {}

  /**
   * A new offer (message 1) answering the card's one-use `challenge` (LedgerCard.challenge()):
   * signed whole for this card's next DEBIT; any earlier offer is superseded.
   */
  offer(description: string, price: number, currency: number, challenge: Uint8Array, dateTime: number = Math.floor(Date.now() / 1000)): Offer {
    const offerHash = sha256(new TextEncoder().encode(description));
    const sig = this.signer.sign(this.editorId, offerHash, price, currency, challenge, dateTime);
    this.current = { description, editorId: this.editorId, offerHash, price, currency, challenge: challenge.slice(), dateTime, editorSignature: sig };
    return this.current;
  }

  /** Accept the use on the card's receipt (message 3); throws LedgerBackendError otherwise. */
  acceptReceipt(receipt: { record: Uint8Array; signature: Uint8Array }, cert: CardCertificate): UsageRecord {
    if (!verify(this.issuerKey, certDigestOf(cert), cert.signature)) throw new LedgerBackendError('BAD_CERTIFICATE', 'card certificate does not verify with the issuer key');
    if (!verify(cert.publicKey, receiptDigest(receipt.record), receipt.signature)) throw new LedgerBackendError('BAD_SIGNATURE', 'receipt signature does not verify with the card key');
    const r = decodeRecord(receipt.record);
    const o = this.current;
    if (o === undefined) throw new LedgerBackendError('NO_OFFER', 'no offer is open (already accepted, or never made)');
    if (r.challenge !== bytesToHex(o.challenge)) throw new LedgerBackendError('OTHER_OFFER', 'receipt answers an older or another offer');
    if (r.cardId !== bytesToHex(cert.cardId) || r.editorId !== bytesToHex(o.editorId) || !equalBytes(receipt.record.subarray(16, 48), o.offerHash) || r.price !== o.price || r.currency !== o.currency || r.dateTime !== o.dateTime) {
      throw new LedgerBackendError('MISMATCH', 'receipt fields differ from the offer');
    }
    this.current = undefined;
    return r;
  }
}

function certDigestOf(c: CardCertificate): Uint8Array {
  return certDigest(c.cardId, c.publicKey);
}
