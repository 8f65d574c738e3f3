/** Test helpers of the payment back-end suites: the code a server call refuses with, or ACCEPTED. */
import { PaymentBackendError } from '../../../host/backend/payment/index.js';

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** The PaymentBackendError code fn throws, 'ACCEPTED' when it returns; any other error is rethrown. */
export function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof PaymentBackendError) return e.code;
    throw e;
  }
  return 'ACCEPTED';
}
