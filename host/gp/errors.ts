/**
 * Errors a user of the host's GlobalPlatform code can meet: a bad key or option, a card that
 * refuses INITIALIZE UPDATE, a card cryptogram that does not match (wrong keys: EXTERNAL
 * AUTHENTICATE is then not sent, so the card's retry counter is untouched), a bad R-MAC. Messages
 * name the field and what to do, and never carry key bytes.
 */
import { CardforgeError } from '../errors.js';

export const GP_ERROR_CODES = [
  'GP_BAD_KEY', // a key of the wrong length or not hex
  'GP_BAD_OPTION', // an unknown level, SCP, diversification, a KVN out of range
  'GP_CARD_REFUSED', // the card answered a GP command with an error status word
  'GP_CARD_CRYPTOGRAM', // the card's cryptogram does not match: wrong keys (EXTERNAL AUTHENTICATE not sent)
  'GP_SCP_MISMATCH', // the card speaks another SCP than the one asked for
  'GP_BAD_RESPONSE', // a response that does not parse (INITIALIZE UPDATE length, TLV)
  'GP_RESPONSE_MAC', // an R-MAC that does not verify, an R-ENC response that does not decrypt
] as const;
export type GpErrorCode = (typeof GP_ERROR_CODES)[number];

export class GpError extends CardforgeError<GpErrorCode> {
  constructor(
    code: GpErrorCode,
    message: string,
    /** GP_CARD_REFUSED: the card's status word, 4 hex digits. */
    readonly sw?: string,
  ) {
    super(code, message);
    this.name = 'GpError';
  }
}
