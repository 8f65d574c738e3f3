/** Typed errors of the ledger back-end: a stable code and a message that says what went wrong. */
import { CardforgeError } from '../../errors.js';

export const LEDGER_BACKEND_ERROR_CODES = [
  'BAD_CERTIFICATE', // the card certificate does not verify with the issuer key
  'BAD_SIGNATURE', // a card signature (receipt, export) does not verify with the card key
  'NO_OFFER', // a receipt arrived but no offer is outstanding
  'OTHER_OFFER', // the receipt answers an older (or another) offer than the one issued last
  'MISMATCH', // the receipt's fields differ from the offer
  'BAD_EXPORT', // records do not match the signed digest, range or amount
] as const;
export type LedgerBackendErrorCode = (typeof LEDGER_BACKEND_ERROR_CODES)[number];

export class LedgerBackendError extends CardforgeError<LedgerBackendErrorCode> {
  constructor(code: LedgerBackendErrorCode, message: string) {
    super(code, message);
    this.name = 'LedgerBackendError';
  }
}
