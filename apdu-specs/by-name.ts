/**
 * The declared commands keyed by name, for host code that sends them: `PAYMENT.SIGN_TRANSACTION`
 * is the declaration itself (class, INS, cases), so a client names the command instead of
 * repeating its CLA/INS. Built from the declaration arrays; the key lists only give the records
 * their types, and a list that disagrees with its array (a name missing or left over) fails when
 * this module loads, not when a client first sends the command.
 */
import { RUNTIME_COMMANDS } from './iso7816.js';
import { SIM_CLASSIC_COMMANDS } from './ts51011.js';
import { UICC_COMMANDS } from './ts102221.js';
import { PAYMENT_COMMANDS } from './payment.js';
import { LEDGER_COMMANDS } from './ledger.js';
import { WALLET_COMMANDS } from './wallet.js';
import type { CommandSpec } from './types.js';

/** One record per declaration array, keyed by every command name it declares — no more, no fewer. */
export function commandsByName<const N extends string>(label: string, commands: readonly CommandSpec[], names: readonly N[]): { readonly [K in N]: CommandSpec } {
  const out: Record<string, CommandSpec> = {};
  for (const c of commands) {
    if (!(names as readonly string[]).includes(c.name)) throw new RangeError(`commandsByName: ${label} declares ${c.name}, which its key list lacks`);
    out[c.name] = c;
  }
  for (const n of names) if (out[n] === undefined) throw new RangeError(`commandsByName: ${label} declares no command ${n}`);
  return Object.freeze(out) as { readonly [K in N]: CommandSpec };
}

/** The runtime's own commands (ISO/IEC 7816-4 SELECT by DF name, MANAGE CHANNEL, GET RESPONSE). */
export const ISO7816 = commandsByName('RUNTIME_COMMANDS', RUNTIME_COMMANDS, ['SELECT', 'MANAGE_CHANNEL', 'GET_RESPONSE', 'GSM_GET_RESPONSE', 'GET_RESPONSE_8X']);

/** The classic SIM (TS 51.011, class A0). */
export const GSM = commandsByName('SIM_CLASSIC_COMMANDS', SIM_CLASSIC_COMMANDS, [
  'GSM_SELECT', 'GSM_STATUS', 'GSM_READ_BINARY', 'GSM_UPDATE_BINARY', 'GSM_READ_RECORD', 'GSM_UPDATE_RECORD', 'GSM_SEEK', 'GSM_INCREASE', 'GSM_VERIFY_CHV',
  'GSM_CHANGE_CHV', 'GSM_DISABLE_CHV', 'GSM_ENABLE_CHV', 'GSM_UNBLOCK_CHV', 'GSM_INVALIDATE', 'GSM_REHABILITATE', 'GSM_SLEEP', 'GSM_RUN_GSM_ALGORITHM',
]);

/** The UICC and the USIM (TS 102.221, TS 31.102). */
export const UICC = commandsByName('UICC_COMMANDS', UICC_COMMANDS, [
  'UICC_SELECT', 'UICC_STATUS', 'UICC_READ_BINARY', 'UICC_UPDATE_BINARY', 'UICC_READ_RECORD', 'UICC_UPDATE_RECORD', 'UICC_SEARCH_RECORD', 'UICC_INCREASE',
  'UICC_VERIFY_PIN', 'UICC_CHANGE_PIN', 'UICC_DISABLE_PIN', 'UICC_ENABLE_PIN', 'UICC_UNBLOCK_PIN', 'UICC_DEACTIVATE_FILE', 'UICC_ACTIVATE_FILE', 'USIM_AUTHENTICATE',
]);

/** The payment applet (apdu-specs/payment.ts). */
export const PAYMENT = commandsByName('PAYMENT_COMMANDS', PAYMENT_COMMANDS, [
  'VERIFY', 'RESET_RETRY_COUNTER', 'GET_CHALLENGE', 'GET_DATA', 'SIGN_TRANSACTION', 'GET_AUTH_RESULT', 'STORE_CERTIFICATE', 'STORE_PROFILE', 'GET_PROFILE', 'ENCIPHER_CARD_NUMBER',
]);

/** The ledger applet (apdu-specs/ledger.ts). */
export const LEDGER = commandsByName('LEDGER_COMMANDS', LEDGER_COMMANDS, [
  'LEDGER_VERIFY_CODE', 'LEDGER_READ_RECORD', 'LEDGER_GET_INFO', 'LEDGER_GET_PUBLIC_KEY', 'LEDGER_PUT_CERTIFICATE', 'LEDGER_GET_CERTIFICATE',
  'LEDGER_GET_CHALLENGE', 'LEDGER_REGISTER_EDITOR', 'LEDGER_DEBIT', 'LEDGER_GET_LAST_RECEIPT', 'LEDGER_LOAD', 'LEDGER_EXPORT_LOG', 'LEDGER_ACK_EXPORT', 'LEDGER_ISSUE_TICKET',
  'LEDGER_VALIDATE_TICKET', 'LEDGER_REFUND_TICKET', 'LEDGER_READ_TICKET', 'LEDGER_GET_TRANSFER_NONCE', 'LEDGER_TRANSFER_OUT', 'LEDGER_TRANSFER_IN',
]);

/** The e-wallet applet (apdu-specs/wallet.ts). */
export const WALLET = commandsByName('WALLET_COMMANDS', WALLET_COMMANDS, [
  'WALLET_GET_INFO', 'WALLET_GET_PUBLIC_KEY', 'WALLET_GET_CHALLENGE', 'WALLET_PAY', 'WALLET_GET_LAST_RECEIPT', 'WALLET_LOAD',
]);
