/**
 * The issuer (the seed's authority for the card population): certifies each card's generated
 * public key, authorises LOADs (card id, card challenge, amount, load counter), issues tickets
 * bound to one card and one challenge, and authorises refunds. Also keeps what it loaded, so the
 * loads − debits invariant can be checked against its books.
 *
 * Per-editor keys (seed 004): the issuer is the root of the editors' certificate tree. For each
 * editor it issues an X.509 v3 certificate of the editor's offer-signing key (RFC 5280 strict,
 * `openssl verify -x509_strict` against the issuer's self-signed CA certificate, built by the
 * payment IssuerCA with this same key) and its compact card-verifiable form: the issuer's raw
 * P-256 signature over "CFED" ‖ editor id ‖ key version ‖ editor key (card/protocol
 * editorDigest), which LEDGER_REGISTER_EDITOR checks on the card with the issuer key personalized
 * into it. The key version goes up with each key the issuer certifies for an editor (1, 2, …), so
 * a card never rolls an editor back to a key of an older certificate.
 */
import { bytesToHex, concat, u32 } from '../../../card/runtime/index.js';
import { certDigest, editorDigest, loadDigest, refundAuthDigest, refundedDigest, ticketDigest } from '../../../card/protocol/index.js';
import { SigningKey, verify } from './keys.js';
import { IssuerCA } from '../payment/issuer.js';

/** An editor's certificate from the issuer (seed 004): X.509 (DER) and the card's compact form. */
export interface EditorCertificate {
  readonly editorId: Uint8Array;
  /** The issuer's version of this editor's key: higher for each newer key (no rollback on the card). */
  readonly keyVersion: number;
  readonly publicKey: Uint8Array;
  /** DER X.509 v3, end entity, subject serialNumber = the editor id in hex. */
  readonly x509: Uint8Array;
  /** The issuer's signature over editorDigest(editorId, keyVersion, publicKey): LEDGER_REGISTER_EDITOR's data. */
  readonly signature: Uint8Array;
}

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
  private caCache: IssuerCA | undefined;
  /** The X.509 CA on the issuer's key (self-signed certificate: `ca.certificate`). */
  get ca(): IssuerCA {
    this.caCache ??= new IssuerCA({ name: 'cardforge ledger issuer CA', secretKey: this.key.secretCopy() });
    return this.caCache;
  }
  /** The last key version certified per editor id (hex). */
  private readonly editorVersions = new Map<string, number>();
  /**
   * Certify an editor's offer-signing key: the X.509 certificate and the card's compact form, at
   * the next key version for that editor (1 for the first), or at `opts.keyVersion` (re-issuing
   * a version, tests of the card's rollback refusal).
   */
  certifyEditor(editorId: Uint8Array, editorPublicKey: Uint8Array, opts: { editorName?: string; keyVersion?: number } = {}): EditorCertificate {
    const k = bytesToHex(editorId);
    const keyVersion = opts.keyVersion ?? (this.editorVersions.get(k) ?? 0) + 1;
    if (!Number.isInteger(keyVersion) || keyVersion < 0 || keyVersion > 0xffffffff) throw new RangeError(`certifyEditor: "keyVersion" expected 0..4294967295, got ${keyVersion}`);
    const x509 = this.ca.issueEditorCertificate(editorId, editorPublicKey, opts.editorName);
    this.editorVersions.set(k, Math.max(keyVersion, this.editorVersions.get(k) ?? 0));
    return { editorId: editorId.slice(), keyVersion, publicKey: editorPublicKey.slice(), x509, signature: this.key.sign(editorDigest(editorId, keyVersion, editorPublicKey)) };
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
