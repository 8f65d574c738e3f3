/**
 * The authentication server of Mall Service JP 2001-076059: it enciphers the user's personal
 * information with its own key ("1st cipher": AES-256-GCM, the card id as associated data) and
 * authorises the card to store the blob (signature over the E3 grant with a fresh card challenge).
 * At purchase it receives the blob released by the card after the payment code approved the shown
 * order (card signature over E4: card id, its challenge, order digest, SHA-256 of the blob),
 * deciphers it and re-enciphers it for the settlement server ("2nd cipher": ECIES on P-256 —
 * ephemeral ECDH, HKDF-SHA256, AES-256-GCM with the order digest as associated data). It never
 * stores plaintext: the decrypted bytes live only inside release() and are wiped before it returns.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { PAYMENT_TAGS as T } from '../../../apdu-specs/index.js';
import { buildProfileGrant, buildProfileRelease, parseFields, tlv, TlvError } from '../../../card/protocol/index.js';
import { bytesToHex, concat } from '../../../card/runtime/index.js';
import { PaymentBackendError } from './errors.js';
import { verifyCardCertificate } from './issuer.js';

export interface SettlementEnvelope {
  /** 65 bytes, the ephemeral ECDH public key. */
  readonly ephemeralPublicKey: Uint8Array;
  readonly nonce: Uint8Array;
  readonly ciphertext: Uint8Array;
  readonly tag: Uint8Array;
  /** Associated data: the order this personal information was released for. */
  readonly orderDigest: Uint8Array;
}

export interface AuthServerOptions {
  readonly issuerPublicKey: Uint8Array;
  /** Signing key (32 bytes) for STORE PROFILE grants; default random. */
  readonly secretKey?: Uint8Array;
  /** AES-256 key of the 1st cipher (32 bytes); default random. */
  readonly encryptionKey?: Uint8Array;
  readonly now?: () => number;
}

const ECIES_INFO = new TextEncoder().encode('cardforge settlement envelope v1');

function gcmSeal(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): [Uint8Array, Uint8Array, Uint8Array] {
  const nonce = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, nonce);
  c.setAAD(aad);
  const ct = Buffer.concat([c.update(plaintext), c.final()]);
  return [new Uint8Array(nonce), new Uint8Array(ct), new Uint8Array(c.getAuthTag())];
}

function gcmOpen(key: Uint8Array, nonce: Uint8Array, ct: Uint8Array, tag: Uint8Array, aad: Uint8Array): Uint8Array {
  try {
    const d = createDecipheriv('aes-256-gcm', key, nonce);
    d.setAAD(aad);
    d.setAuthTag(tag);
    return new Uint8Array(Buffer.concat([d.update(ct), d.final()]));
  } catch {
    throw new PaymentBackendError('DECRYPTION_FAILED', 'ciphertext does not authenticate (wrong key, altered blob or other card)');
  }
}

function eciesKey(shared: Uint8Array, ephemeralPublicKey: Uint8Array): Uint8Array {
  // x coordinate of the shared point (SEC 1 §3.3.1), salted with the ephemeral key.
  return hkdf(sha256, shared.subarray(1, 33), ephemeralPublicKey, ECIES_INFO, 32);
}

/**
 * Open a 1st-cipher profile blob (nonce ‖ ciphertext ‖ tag, AES-256-GCM, the card id as associated
 * data) with the profile key — for the settlement server of claim 3, which holds the same key.
 */
export function openProfileBlob(profileKey: Uint8Array, cardId: Uint8Array, blob: Uint8Array): Uint8Array {
  if (blob.length < 28) throw new PaymentBackendError('DECRYPTION_FAILED', 'profile blob shorter than nonce and tag');
  return gcmOpen(profileKey, blob.subarray(0, 12), blob.subarray(12, blob.length - 16), blob.subarray(blob.length - 16), cardId);
}

/** The settlement server's side: open an envelope with its private key. */
export function openSettlementEnvelope(settlementSecretKey: Uint8Array, env: SettlementEnvelope): Uint8Array {
  const shared = p256.getSharedSecret(settlementSecretKey, env.ephemeralPublicKey, true);
  return gcmOpen(eciesKey(shared, env.ephemeralPublicKey), env.nonce, env.ciphertext, env.tag, env.orderDigest);
}

export class AuthenticationServer {
  readonly publicKey: Uint8Array;
  private readonly secretKey: Uint8Array;
  private readonly encKey: Uint8Array;
  private readonly pending = new Map<string, Uint8Array>();
  private readonly now: () => number;

  constructor(private readonly opts: AuthServerOptions) {
    this.secretKey = (opts.secretKey ?? p256.utils.randomSecretKey()).slice();
    this.publicKey = p256.getPublicKey(this.secretKey, false);
    this.encKey = (opts.encryptionKey ?? new Uint8Array(randomBytes(32))).slice();
    if (this.encKey.length !== 32) throw new PaymentBackendError('BAD_INPUT', `"encryptionKey" expected 32 bytes, got ${this.encKey.length}`);
    this.now = opts.now ?? Date.now;
  }

  /**
   * Encipher the personal information for this card and authorise storing it: returns the
   * STORE PROFILE command data (DB blob ‖ 9E signature over E3 with the card's challenge).
   */
  enrol(cardId: Uint8Array, cardChallenge: Uint8Array, personalInformation: Uint8Array): Uint8Array {
    const [nonce, ct, tag] = gcmSeal(this.encKey, personalInformation, cardId);
    const blob = concat(nonce, ct, tag);
    const sig = p256.sign(buildProfileGrant(cardId, cardChallenge, blob), this.secretKey);
    return concat(tlv(T.PROFILE_BLOB, blob), tlv(T.SIGNATURE, sig));
  }

  /**
   * The 1st-cipher key, for provisioning the settlement server of claim 3 (the same cipher on
   * both sides, the blob forwarded unopened): a copy, handed over out of band, never on a wire.
   */
  profileKeyForSettlement(): Uint8Array {
    return this.encKey.slice();
  }

  /** A fresh 16-byte challenge for the release of one order. */
  releaseChallenge(orderDigest: Uint8Array): Uint8Array {
    if (orderDigest.length !== 32) throw new PaymentBackendError('BAD_INPUT', `"orderDigest" expected 32 bytes, got ${orderDigest.length}`);
    const c = new Uint8Array(randomBytes(16));
    this.pending.set(bytesToHex(c), orderDigest.slice());
    return c;
  }

  /**
   * Check the card's GET PROFILE answer for this order and re-encipher the personal information
   * for the settlement server. Throws PaymentBackendError; never keeps the plaintext.
   */
  release(input: { certificate: Uint8Array; challenge: Uint8Array; response: Uint8Array }, settlementPublicKey: Uint8Array): SettlementEnvelope {
    const key = bytesToHex(input.challenge);
    const orderDigest = this.pending.get(key);
    if (orderDigest === undefined) throw new PaymentBackendError('UNKNOWN_CHALLENGE', 'no release pending for this challenge (replay?)');
    const info = verifyCardCertificate(input.certificate, this.opts.issuerPublicKey, this.now());
    let blob: Uint8Array;
    let sig: Uint8Array;
    try {
      [blob, sig] = parseFields(input.response, [{ tag: T.PROFILE_BLOB, length: [28, 0xffff] }, { tag: T.SIGNATURE, length: 64 }], 'GET PROFILE') as [Uint8Array, Uint8Array];
    } catch (e) {
      if (e instanceof TlvError) throw new PaymentBackendError('MALFORMED_RESPONSE', e.message);
      throw e;
    }
    const statement = buildProfileRelease(info.cardId, input.challenge, orderDigest, sha256(blob));
    if (!p256.verify(sig, statement, info.publicKey, { lowS: false })) throw new PaymentBackendError('SIGNATURE_INVALID', 'the card did not approve this order for this profile');
    const plaintext = gcmOpen(this.encKey, blob.subarray(0, 12), blob.subarray(12, blob.length - 16), blob.subarray(blob.length - 16), info.cardId);
    try {
      this.pending.delete(key);
      const eph = p256.keygen();
      const ephemeralPublicKey = p256.getPublicKey(eph.secretKey, false);
      const shared = p256.getSharedSecret(eph.secretKey, settlementPublicKey, true);
      eph.secretKey.fill(0);
      const [nonce, ciphertext, tag] = gcmSeal(eciesKey(shared, ephemeralPublicKey), plaintext, orderDigest);
      return { ephemeralPublicKey, nonce, ciphertext, tag, orderDigest: orderDigest.slice() };
    } finally {
      plaintext.fill(0);
    }
  }
}
