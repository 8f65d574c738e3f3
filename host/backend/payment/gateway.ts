/**
 * The payment gateway of NTT DoCoMo EP 1 280 115 (§B, steps S6-S7, user table 154a): it keeps the
 * registered users (user id, device id, the card's certificate), sends a fresh challenge, and
 * accepts the card's authentication-result token E2 ‖ 9E signature only if the signature verifies
 * under the card certificate (chained to the issuer), the challenge is the one it sent (single
 * use), the user id and card id are the registered ones, the device id matches the registered
 * device ([0068]), and the result has not expired ([0074]).
 */
import { randomBytes } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { PAYMENT_TAGS as T } from '../../../apdu-specs/index.js';
import { parseFields, parseToken, TlvError, type AuthToken } from '../../../card/protocol/index.js';
import { bytesToHex, equalBytes } from '../../../card/runtime/index.js';
import { PaymentBackendError } from './errors.js';
import { verifyCardCertificate } from './issuer.js';

export interface GatewayUser {
  readonly userId: Uint8Array;
  readonly deviceId: Uint8Array;
  /** The card certificate (DER) registered with the user. */
  readonly certificate: Uint8Array;
}

export interface GatewayOptions {
  readonly issuerPublicKey: Uint8Array;
  readonly now?: () => number;
  /** Challenge length (16..32, default 16). */
  readonly challengeLength?: number;
}

export class PaymentGateway {
  private readonly users = new Map<string, GatewayUser>();
  private readonly pending = new Map<string, Uint8Array>();
  private readonly now: () => number;

  constructor(private readonly opts: GatewayOptions) {
    this.now = opts.now ?? Date.now;
  }

  register(user: GatewayUser): void {
    verifyCardCertificate(user.certificate, this.opts.issuerPublicKey, this.now());
    this.users.set(bytesToHex(user.userId), { userId: user.userId.slice(), deviceId: user.deviceId.slice(), certificate: user.certificate.slice() });
  }

  /** A fresh challenge for this user's device (replaces any earlier one). */
  challenge(userId: Uint8Array): Uint8Array {
    const k = bytesToHex(userId);
    if (!this.users.has(k)) throw new PaymentBackendError('UNKNOWN_USER', `user ${k} is not registered`);
    const c = new Uint8Array(randomBytes(this.opts.challengeLength ?? 16));
    this.pending.set(k, c);
    return c;
  }

  /** Check GET AUTH RESULT's answer; returns the token or throws PaymentBackendError. */
  verifyAuthResult(userId: Uint8Array, response: Uint8Array): AuthToken {
    const k = bytesToHex(userId);
    const user = this.users.get(k);
    if (user === undefined) throw new PaymentBackendError('UNKNOWN_USER', `user ${k} is not registered`);
    let tokenBytes: Uint8Array;
    let sig: Uint8Array;
    let token: AuthToken;
    try {
      const tokenEnd = tokenLength(response);
      tokenBytes = response.subarray(0, tokenEnd);
      [sig] = parseFields(response.subarray(tokenEnd), [{ tag: T.SIGNATURE, length: 64 }], 'auth result') as [Uint8Array];
      token = parseToken(tokenBytes);
    } catch (e) {
      if (e instanceof TlvError) throw new PaymentBackendError('MALFORMED_RESPONSE', e.message);
      throw e;
    }
    const expected = this.pending.get(k);
    if (expected === undefined || !equalBytes(expected, token.challenge)) throw new PaymentBackendError('UNKNOWN_CHALLENGE', 'the token answers no challenge pending for this user (replay?)');
    const info = verifyCardCertificate(user.certificate, this.opts.issuerPublicKey, this.now());
    if (!p256.verify(sig, tokenBytes, info.publicKey, { lowS: false })) throw new PaymentBackendError('SIGNATURE_INVALID', 'token signature does not verify under the registered card certificate');
    if (!equalBytes(token.cardId, info.cardId)) throw new PaymentBackendError('SIGNATURE_INVALID', 'token card id differs from the certificate');
    if (!equalBytes(token.userId, user.userId)) throw new PaymentBackendError('UNKNOWN_USER', 'token user id differs from the requesting user');
    if (!equalBytes(token.deviceId, user.deviceId)) throw new PaymentBackendError('DEVICE_MISMATCH', `device id ${bytesToHex(token.deviceId)} is not the registered device`);
    if (this.now() >= token.expiry) throw new PaymentBackendError('TOKEN_EXPIRED', `authentication result expired at ${new Date(token.expiry).toISOString()}`);
    this.pending.delete(k);
    return token;
  }
}

/** Length of the leading E2 TLV (tag, length and value). */
function tokenLength(b: Uint8Array): number {
  if (b.length < 2 || b[0] !== T.AUTH_RESULT_TOKEN) throw new TlvError('auth result: expected tag e2 at offset 0');
  const l = b[1]!;
  if (l < 0x80) return 2 + l;
  if (l === 0x81 && b.length > 2) return 3 + b[2]!;
  throw new TlvError('auth result: unsupported token length');
}
