/**
 * The ledger's payment code (consent for DEBIT, ledger.ts header): VERIFY (ISO/IEC 7816-4
 * §11.5.6) with P2 = 81. 63Cx wrong with x tries left, 6983 blocked; an empty VERIFY is the retry
 * query (9000 while validated, 63Cx otherwise). The try counter is decremented before the
 * comparison (OwnerPin).
 */
import { SW } from '../../../apdu-specs/status-words.js';
import { CardError, triesLeft, type CommandApdu, type Reply } from '../../runtime/index.js';
import type { LedgerCore } from './core.js';

export function verifyCode(core: LedgerCore, a: CommandApdu): Reply {
  const code = core.code;
  if (!code.initialised) throw new CardError(SW.REFERENCE_DATA_NOT_FOUND, 'no payment code configured');
  if (code.blocked) throw new CardError(SW.AUTH_METHOD_BLOCKED);
  if (a.apduCase === 1) {
    if (code.isValidated) return {};
    throw triesLeft(code.triesRemaining);
  }
  if (code.check(a.data)) return {};
  const left = code.triesRemaining;
  if (left === 0) throw new CardError(SW.AUTH_METHOD_BLOCKED);
  throw triesLeft(left);
}
