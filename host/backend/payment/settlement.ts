/**
 * Mall Service JP 2001-076059, claim 3: the 2nd cipher is the same scheme as the 1st, and the
 * blob the user's terminal releases is sent on to the settlement server WITHOUT being deciphered
 * ("復号化されることなく、そのまま前記決済サーバに送信される"). Two roles:
 * - ProfileForwarder (the merchant terminal / authentication-server relay): holds no key at all;
 *   it asks the settlement server for a challenge bound to the order, has the card release the
 *   blob (GET PROFILE after the payment code), and passes the card's answer on byte for byte.
 * - ProfileSettlementServer: holds the 1st-cipher profile key (AES-256-GCM, shared with the
 *   authentication server that enrolled the card — claim 3's "same cipher") and the issuer key.
 *   It accepts only when: the challenge is one it issued for this order and unused (replay); the
 *   card certificate chains to the issuer; the card's signature over E4 (card id, challenge, order
 *   digest, SHA-256 of the blob) verifies (tampering, another order); the blob deciphers under
 *   the card id. The personal information is returned to settle, never stored.
 */
import { randomBytes } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { PAYMENT_TAGS as T } from '../../../apdu-specs/index.js';
import { buildProfileRelease, parseFields, TlvError } from '../../../card/protocol/index.js';
import { bytesToHex } from '../../../card/runtime/index.js';
import { PaymentBackendError } from './errors.js';
import { verifyCardCertificate } from './issuer.js';
import { openProfileBlob } from './auth-server.js';

/** What the terminal forwards: the card's GET PROFILE answer as received, with its context. */
export interface ForwardedProfile {
  readonly certificate: Uint8Array;
  readonly challenge: Uint8Array;
  readonly orderDigest: Uint8Array;
  /** DB blob ‖ 9E card signature, exactly as the card answered. */
  readonly response: Uint8Array;
}

/** The card side a forwarder needs (PaymentCardClient satisfies it). */
export interface ProfileCard {
  getProfile(orderDigest: Uint8Array, challenge: Uint8Array): Promise<{ data: Uint8Array; sw: number }>;
  certificate(): Promise<Uint8Array>;
}

export class ProfileForwarder {
  /** Release the profile for this order (the holder already presented the payment code) and forward it unopened. */
  async forward(card: ProfileCard, orderDigest: Uint8Array, challenge: Uint8Array): Promise<ForwardedProfile> {
    const r = await card.getProfile(orderDigest, challenge);
    if (r.sw !== 0x9000) throw new PaymentBackendError('MALFORMED_RESPONSE', `GET PROFILE answered ${r.sw.toString(16).padStart(4, '0')}`);
    return { certificate: await card.certificate(), challenge: challenge.slice(), orderDigest: orderDigest.slice(), response: r.data.slice() };
  }
}

export interface ProfileSettlementOptions {
  readonly issuerPublicKey: Uint8Array;
  /** The 1st-cipher key (32 bytes), the one the authentication server enciphered the profile with. */
  readonly profileKey: Uint8Array;
  readonly now?: () => number;
}

export interface SettledProfile {
  readonly cardId: Uint8Array;
  readonly orderDigest: Uint8Array;
  readonly personalInformation: Uint8Array;
}

export class ProfileSettlementServer {
  private readonly pending = new Map<string, Uint8Array>();
  private readonly key: Uint8Array;
  private readonly now: () => number;

  constructor(private readonly opts: ProfileSettlementOptions) {
    if (opts.profileKey.length !== 32) throw new PaymentBackendError('BAD_INPUT', `"profileKey" expected 32 bytes, got ${opts.profileKey.length}`);
    this.key = opts.profileKey.slice();
    this.now = opts.now ?? Date.now;
  }

  /** A fresh 16-byte challenge for the release of one order (single use). */
  challenge(orderDigest: Uint8Array): Uint8Array {
    if (orderDigest.length !== 32) throw new PaymentBackendError('BAD_INPUT', `"orderDigest" expected 32 bytes, got ${orderDigest.length}`);
    const c = new Uint8Array(randomBytes(16));
    this.pending.set(bytesToHex(c), orderDigest.slice());
    return c;
  }

  /** Check the forwarded release and decipher the profile. Throws PaymentBackendError. */
  settle(f: ForwardedProfile): SettledProfile {
    const k = bytesToHex(f.challenge);
    const orderDigest = this.pending.get(k);
    if (orderDigest === undefined) throw new PaymentBackendError('UNKNOWN_CHALLENGE', 'no release pending for this challenge (replay?)');
    const info = verifyCardCertificate(f.certificate, this.opts.issuerPublicKey, this.now());
    let blob: Uint8Array;
    let sig: Uint8Array;
    try {
      [blob, sig] = parseFields(f.response, [{ tag: T.PROFILE_BLOB, length: [28, 0xffff] }, { tag: T.SIGNATURE, length: 64 }], 'GET PROFILE') as [Uint8Array, Uint8Array];
    } catch (e) {
      if (e instanceof TlvError) throw new PaymentBackendError('MALFORMED_RESPONSE', e.message);
      throw e;
    }
    const statement = buildProfileRelease(info.cardId, f.challenge, orderDigest, sha256(blob));
    if (!p256.verify(sig, statement, info.publicKey, { lowS: false })) throw new PaymentBackendError('SIGNATURE_INVALID', 'the card did not approve this order for this profile');
    const personalInformation = openProfileBlob(this.key, info.cardId, blob);
    this.pending.delete(k);
    return { cardId: info.cardId, orderDigest, personalInformation };
  }
}
