/**
 * Errors a user of a transport can meet. Each carries a stable code and a message that says what
 * to do; the CLI prints the message as one line.
 */
import { CardforgeError } from '../errors.js';

export const TRANSPORT_ERROR_CODES = [
  'PCSC_UNAVAILABLE', // the smartcard addon is not installed / not built
  'PCSC_NO_SERVICE', // pcscd is not running / not reachable
  'PCSC_NO_READER', // no reader with that name
  'PCSC_NO_CARD', // reader is empty (or timed out waiting)
  'PCSC_SHARING', // another program holds the card exclusively
  'PCSC_CARD_REMOVED',
  'PCSC_FAILED', // any other PC/SC failure
  'NOT_CONNECTED',
  'CARD_POWER_LOST',
  'IMAGE_NOT_SAVED', // an emulated card's change could not be saved: its answer was withheld
  'BAD_APDU',
  'VPCD_UNREACHABLE',
] as const;
export type TransportErrorCode = (typeof TRANSPORT_ERROR_CODES)[number];

export class TransportError extends CardforgeError<TransportErrorCode> {
  constructor(
    code: TransportErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.name = 'TransportError';
  }
}
