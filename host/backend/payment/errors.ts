/**
 * Typed errors of the payment back-end actors (issuer CA, payment server, gateway, authentication
 * server): a code a caller can switch on and a message that says what was wrong.
 */
import { CardforgeError } from '../../errors.js';

export const PAYMENT_ERROR_CODES = [
  'CERT_INVALID', // malformed, wrong algorithm, not signed by the issuer, outside its validity
  'SIGNATURE_INVALID', // the card's signature or MAC does not verify over the expected statement
  'UNKNOWN_CHALLENGE', // never issued, already used (replay) or expired
  'COUNTER_NOT_INCREASING', // the card counter is not above the last accepted one (replay)
  'IDENTIFICATION_REQUIRED', // SFR: the subscriber was not authenticated in the card session
  'IDENTIFICATION_NOT_CONFIRMED', // SFR: the AuC did not issue / verify the signed (IMSI hash, RAND), or it expired
  'MALFORMED_RESPONSE', // the card response has the wrong shape
  'UNKNOWN_CARD', // no MAC key / registration for this card
  'UNKNOWN_USER', // gateway: user id not registered
  'DEVICE_MISMATCH', // gateway: device id differs from the registered one
  'TOKEN_EXPIRED', // gateway: authentication result expired
  'DECRYPTION_FAILED', // authentication server: blob not ours or altered
  'BAD_INPUT', // a caller passed a value of the wrong shape
] as const;

export type PaymentErrorCode = (typeof PAYMENT_ERROR_CODES)[number];

export class PaymentBackendError extends CardforgeError<PaymentErrorCode> {
  constructor(
    code: PaymentErrorCode,
    message: string,
  ) {
    super(code, message);
    this.name = 'PaymentBackendError';
  }
}
