/**
 * The payment server (SFR JP 2000-69571: the server that receives the purchase signed by the SIM
 * with the payment security algorithm and key). For each order it issues a fresh challenge; it
 * accepts the card's answer only if
 * - the card certificate chains to the issuer CA (ECDSA variant) or the card's MAC key is known;
 * - the signature / CMAC verifies over the record the SERVER rebuilds from its own order (card id,
 *   counter, merchant, amount, currency, date-time, its challenge, order hash, CVM result,
 *   identification) — so any changed field fails;
 * - the challenge was issued by it, unused and unexpired, and the counter is above the last one
 *   accepted for that card (replays fail both ways);
 * - when identification is required: the card attests a SIM authentication (tag CA) and signs the
 *   IMSI hash and RAND of it (CB, CC), and the AuC confirms it issued that RAND and verified the
 *   card's answer for that IMSI, not expired (issue 18, SFR seed: the network identifies the
 *   subscriber, the payment relies on it — a host-chosen RAND is refused).
 * Accepted proofs are kept for disputes (record, signature, certificate).
 */
import { randomBytes } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { recordOf, type RecordIdentity, type TransactionFields } from '../../../card/protocol/index.js';
import type { SubscriberAuthentication } from '../../../apdu-specs/session-facts.js';
import { bytesToHex, equalBytes, readU32 } from '../../../card/runtime/index.js';
import { aesCmac } from '../../../card/algorithms/index.js';
import { PaymentBackendError } from './errors.js';
import { verifyCardCertificate, type CardCertificateInfo } from './issuer.js';

export type Order = Omit<TransactionFields, 'challenge'>;

export interface PaymentRequest {
  readonly order: Order;
  /** The 16-byte server challenge the card must sign. */
  readonly challenge: Uint8Array;
}

export interface PaymentSubmission {
  readonly challenge: Uint8Array;
  /** The SIGN TRANSACTION response data: counter (4) ‖ signature (64) or CMAC (16). */
  readonly response: Uint8Array;
  /** ECDSA variant: the card certificate (DER). */
  readonly certificate?: Uint8Array;
  /** MAC variant: the card id (the server looks its key up). */
  readonly cardId?: Uint8Array;
  /** What the card attested about the session (tag CA): 0 none, 1 GSM, 2 3G, 3 GSM context. */
  readonly identification?: number;
  /** The IMSI hash and RAND the card signed with it (tags CB, CC); omitted: none. */
  readonly identity?: RecordIdentity;
}

/** Who confirms a network identification: the AuC (host/backend/auc.ts AuC satisfies it). */
export interface IdentificationAuthority {
  /** The log entry for the pair, or throws (an Error whose message says why not). */
  confirmIdentification(imsiHash: Uint8Array, rand: Uint8Array, context?: SubscriberAuthentication): { readonly at: number; readonly expiresAt: number };
}

const CONTEXT_OF: Readonly<Record<number, SubscriberAuthentication>> = { 1: 'gsm', 2: '3g', 3: 'gsm-context' };

export interface PaymentProof {
  readonly cardId: string;
  readonly counter: number;
  readonly mode: 'ecdsa' | 'cmac';
  readonly record: Uint8Array;
  readonly proof: Uint8Array;
  readonly certificate?: Uint8Array;
  readonly acceptedAt: number;
}

export interface PaymentServerOptions {
  readonly issuerPublicKey: Uint8Array;
  /** Accept only records whose (IMSI hash, RAND) the `identification` authority confirms. */
  readonly requireIdentification?: boolean;
  /** The AuC that confirms identifications; mandatory with requireIdentification. */
  readonly identification?: IdentificationAuthority;
  readonly now?: () => number;
  /** How long an issued challenge stays valid (default 5 minutes). */
  readonly challengeTtlMs?: number;
}

export class PaymentServer {
  private readonly pending = new Map<string, { order: Order; expires: number }>();
  private readonly lastCounter = new Map<string, number>();
  private readonly macKeys = new Map<string, Uint8Array>();
  private readonly certCache = new Map<string, CardCertificateInfo>();
  private readonly accepted: PaymentProof[] = [];
  private readonly now: () => number;

  constructor(private readonly opts: PaymentServerOptions) {
    this.now = opts.now ?? Date.now;
    if (opts.requireIdentification && opts.identification === undefined) {
      throw new PaymentBackendError('BAD_INPUT', 'requireIdentification needs "identification" (the AuC that confirms the IMSI / RAND pair)');
    }
  }

  /** Register the MAC variant key of a card (the seed's "payment security key"). */
  registerMacKey(cardId: Uint8Array, key: Uint8Array): void {
    if (key.length !== 16) throw new PaymentBackendError('BAD_INPUT', `"key" expected 16 bytes, got ${key.length}`);
    this.macKeys.set(bytesToHex(cardId), key.slice());
  }

  /** Start a payment: a fresh challenge bound to this order. */
  begin(order: Order): PaymentRequest {
    const challenge = new Uint8Array(randomBytes(16));
    this.pending.set(bytesToHex(challenge), { order, expires: this.now() + (this.opts.challengeTtlMs ?? 300_000) });
    return { order, challenge };
  }

  /** Verify a card's answer; returns the stored proof or throws PaymentBackendError. */
  verify(sub: PaymentSubmission): PaymentProof {
    const key = bytesToHex(sub.challenge);
    const p = this.pending.get(key);
    if (p === undefined || p.expires < this.now()) throw new PaymentBackendError('UNKNOWN_CHALLENGE', 'challenge unknown, already used or expired (replay?)');
    const ecdsa = sub.certificate !== undefined;
    const proofLen = ecdsa ? 64 : 16;
    if (sub.response.length !== 4 + proofLen) throw new PaymentBackendError('MALFORMED_RESPONSE', `SIGN TRANSACTION response expected ${4 + proofLen} bytes, got ${sub.response.length}`);
    const counter = readU32(sub.response, 0);
    const proof = sub.response.slice(4);
    const ident = sub.identification ?? 0;
    if (!Number.isInteger(ident) || ident < 0 || ident > 0xff) throw new PaymentBackendError('BAD_INPUT', `"identification" expected 0..255, got ${ident}`);
    if (this.opts.requireIdentification && ident === 0) throw new PaymentBackendError('IDENTIFICATION_REQUIRED', 'the subscriber was not identified (RAND/SRES) in the card session');
    let cardId: Uint8Array;
    let verifyProof: (record: Uint8Array) => boolean;
    if (ecdsa) {
      const info = this.certificate(sub.certificate!);
      cardId = info.cardId;
      verifyProof = (record) => p256.verify(proof, record, info.publicKey, { lowS: false });
    } else {
      if (sub.cardId === undefined) throw new PaymentBackendError('BAD_INPUT', 'give the certificate (ECDSA) or the card id (MAC)');
      cardId = sub.cardId;
      const macKey = this.macKeys.get(bytesToHex(cardId));
      if (macKey === undefined) throw new PaymentBackendError('UNKNOWN_CARD', `no MAC key registered for card ${bytesToHex(cardId)}`);
      verifyProof = (record) => equalBytes(aesCmac(macKey, record), proof);
    }
    const record = recordOf({ ...p.order, challenge: sub.challenge, cardId, counter, cvmResult: 0x01, identification: ident, ...(sub.identity ? { identity: sub.identity } : {}) });
    if (!verifyProof(record)) throw new PaymentBackendError('SIGNATURE_INVALID', `${ecdsa ? 'signature' : 'MAC'} does not verify over the order as the server knows it`);
    if (this.opts.requireIdentification) this.confirmIdentification(ident, sub.identity);
    const id = bytesToHex(cardId);
    const last = this.lastCounter.get(id) ?? -1;
    if (counter <= last) throw new PaymentBackendError('COUNTER_NOT_INCREASING', `counter ${counter} is not above the last accepted ${last} for card ${id}`);
    this.pending.delete(key);
    this.lastCounter.set(id, counter);
    const stored: PaymentProof = { cardId: id, counter, mode: ecdsa ? 'ecdsa' : 'cmac', record, proof, acceptedAt: this.now(), ...(ecdsa ? { certificate: sub.certificate!.slice() } : {}) };
    this.accepted.push(stored);
    return stored;
  }

  /** The card signed (IMSI hash, RAND): the AuC must confirm it verified that pair, unexpired. */
  private confirmIdentification(ident: number, identity: RecordIdentity | undefined): void {
    const fail = (why: string): never => {
      throw new PaymentBackendError('IDENTIFICATION_NOT_CONFIRMED', why);
    };
    if (identity === undefined || identity.imsiHash.length !== 32 || identity.rand.length !== 16) fail('the record carries no IMSI hash and RAND of a SIM authentication');
    try {
      this.opts.identification!.confirmIdentification(identity!.imsiHash, identity!.rand, CONTEXT_OF[ident]);
    } catch (e) {
      fail(`the AuC does not confirm the identification: ${(e as Error).message}`);
    }
  }

  /** Accepted proofs, for disputes. */
  proofs(): readonly PaymentProof[] {
    return this.accepted;
  }

  /** Re-check a stored proof (a dispute): the record and signature still verify under the certificate. */
  static checkProof(proof: PaymentProof, issuerPublicKey: Uint8Array, now: number = proof.acceptedAt): boolean {
    if (proof.mode !== 'ecdsa' || proof.certificate === undefined) return false;
    const info = verifyCardCertificate(proof.certificate, issuerPublicKey, now);
    return p256.verify(proof.proof, proof.record, info.publicKey, { lowS: false });
  }

  private certificate(der: Uint8Array): CardCertificateInfo {
    const k = bytesToHex(der);
    const cached = this.certCache.get(k);
    if (cached && this.now() >= cached.notBefore.getTime() && this.now() <= cached.notAfter.getTime()) return cached;
    const info = verifyCardCertificate(der, this.opts.issuerPublicKey, this.now());
    this.certCache.set(k, info);
    return info;
  }
}
