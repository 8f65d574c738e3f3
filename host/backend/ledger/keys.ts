/**
 * Host-side P-256 keys for the ledger actors (issuer, editor root, settlement server): noble's
 * p256 over the digests of card/protocol/ledger.ts (prehash off: the digest is the
 * message), raw r || s signatures, low-S, as the card produces and expects.
 */
import { p256 } from '@noble/curves/nist.js';
import { bytesToHex, readU16, readU32 } from '../../../card/runtime/index.js';
import { REC } from '../../../card/protocol/index.js';

export class SigningKey {
  readonly publicKey: Uint8Array;
  private constructor(private readonly secret: Uint8Array) {
    this.publicKey = p256.getPublicKey(secret, false);
  }
  static generate(): SigningKey {
    return new SigningKey(p256.utils.randomSecretKey());
  }
  /** From a 32-byte secret (tests, deterministic fixtures). */
  static fromSecret(secret: Uint8Array): SigningKey {
    if (!p256.utils.isValidSecretKey(secret)) throw new RangeError('"secret" expected a valid P-256 secret key (32 bytes, 1..n-1)');
    return new SigningKey(secret.slice());
  }
  sign(digest: Uint8Array): Uint8Array {
    return p256.sign(digest, this.secret, { prehash: false });
  }
  /** A copy of the secret, for the X.509 CA that shares this key (LedgerIssuer's editor certificates). */
  secretCopy(): Uint8Array {
    return this.secret.slice();
  }
}

export function verify(publicKey: Uint8Array, digest: Uint8Array, signature: Uint8Array): boolean {
  try {
    return p256.verify(signature, digest, publicKey, { prehash: false });
  } catch {
    return false;
  }
}

/** A usage record (= receipt body) decoded. */
export interface UsageRecord {
  readonly cardId: string;
  readonly counter: number;
  readonly editorId: string;
  readonly offerHash: string;
  readonly price: number;
  readonly currency: number;
  readonly before: number;
  readonly after: number;
  /** The card challenge the offer answered (hex). */
  readonly challenge: string;
  readonly dateTime: number;
}

export function decodeRecord(r: Uint8Array): UsageRecord {
  if (r.length !== REC.length) throw new RangeError(`decodeRecord: "record" expected ${REC.length} bytes, got ${r.length}`);
  return {
    cardId: bytesToHex(r.subarray(REC.cardId, REC.counter)),
    counter: readU32(r, REC.counter),
    editorId: bytesToHex(r.subarray(REC.editorId, REC.offerHash)),
    offerHash: bytesToHex(r.subarray(REC.offerHash, REC.price)),
    price: readU32(r, REC.price),
    currency: readU16(r, REC.currency),
    before: readU32(r, REC.before),
    after: readU32(r, REC.after),
    challenge: bytesToHex(r.subarray(REC.challenge, REC.dateTime)),
    dateTime: readU32(r, REC.dateTime),
  };
}
