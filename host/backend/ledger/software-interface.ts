/**
 * The software interface (IL of WO 00/63859 claim 1): it offers a use of the software, signed for
 * its editor, bound to a fresh random and the date-time; it accepts the use only on a receipt that
 * the card signed over exactly that offer, with a card key the issuer certified. A receipt for an
 * older offer (or the same receipt twice) is refused: only the last offer issued is open, and it
 * closes when its receipt is accepted.
 */
import { bytesToHex, equalBytes, u16, u32 } from '../../../card/runtime/index.js';
import { certDigest, offerDigest, receiptDigest } from '../../../card/protocol/index.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes } from 'node:crypto';
import { SigningKey, decodeRecord, verify, type UsageRecord } from './keys.js';
import { LedgerBackendError } from './errors.js';
import type { DebitRequest } from './card-client.js';

/** The editor root (the seed's authority signing offers on the editors' behalf). */
export class OfferSigner {
  constructor(readonly key: SigningKey = SigningKey.generate()) {}
  get publicKey(): Uint8Array {
    return this.key.publicKey;
  }
  sign(editorId: Uint8Array, offerHash: Uint8Array, price: number, currency: number): Uint8Array {
    return this.key.sign(offerDigest(editorId, offerHash, u32(price), u16(currency)));
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
  private readonly signatures = new Map<string, Uint8Array>();
  constructor(
    readonly editorId: Uint8Array,
    private readonly signer: OfferSigner,
    private readonly issuerKey: Uint8Array,
    private readonly random: (n: number) => Uint8Array = (n) => new Uint8Array(randomBytes(n)),
  ) {}

  /** A new offer (message 1): any earlier offer is superseded. */
  offer(description: string, price: number, currency: number, dateTime: number = Math.floor(Date.now() / 1000)): Offer {
    const offerHash = sha256(new TextEncoder().encode(description));
    const k = `${bytesToHex(offerHash)}:${price}:${currency}`;
    let sig = this.signatures.get(k);
    if (sig === undefined) {
      sig = this.signer.sign(this.editorId, offerHash, price, currency);
      this.signatures.set(k, sig);
    }
    this.current = { description, editorId: this.editorId, offerHash, price, currency, hostRandom: this.random(16), dateTime, editorSignature: sig };
    return this.current;
  }

  /** Accept the use on the card's receipt (message 3); throws LedgerBackendError otherwise. */
  acceptReceipt(receipt: { record: Uint8Array; signature: Uint8Array }, cert: CardCertificate): UsageRecord {
    if (!verify(this.issuerKey, certDigestOf(cert), cert.signature)) throw new LedgerBackendError('BAD_CERTIFICATE', 'card certificate does not verify with the issuer key');
    if (!verify(cert.publicKey, receiptDigest(receipt.record), receipt.signature)) throw new LedgerBackendError('BAD_SIGNATURE', 'receipt signature does not verify with the card key');
    const r = decodeRecord(receipt.record);
    const o = this.current;
    if (o === undefined) throw new LedgerBackendError('NO_OFFER', 'no offer is open (already accepted, or never made)');
    if (r.hostRandom !== bytesToHex(o.hostRandom)) throw new LedgerBackendError('OTHER_OFFER', 'receipt answers an older or another offer');
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
