/**
 * Status words: ISO/IEC 7816-4 §5.6 (Table 5/6), TS 102.221 §10.2, TS 51.011 §9.4.
 * One table: the runtime, the applets, the trace decoder and every printed SW use it.
 * Patterned entries (63Cx, 61xx, 9Fxx, 6Cxx) carry the variable part in the masked-out bits.
 */
import type { StatusWordSpec } from './types.js';

function sw(
  value: number, mask: number, category: StatusWordSpec['category'], description: string, ref: string,
): Omit<StatusWordSpec, 'name'> {
  return { sw: value, mask, category, description, ref };
}
const ISO = 'ISO/IEC 7816-4 §5.6';
const UICC = 'ETSI TS 102.221 §10.2';
const GSM = '3GPP TS 51.011 §9.4';

const TABLE = {
  OK: sw(0x9000, 0xffff, 'normal', 'Normal ending of the command', ISO),
  BYTES_AVAILABLE: sw(0x6100, 0xff00, 'normal', 'xx response bytes are still available (GET RESPONSE)', ISO),
  GSM_RESPONSE_AVAILABLE: sw(0x9f00, 0xff00, 'normal', 'xx response bytes are available (GSM GET RESPONSE)', GSM),
  GSM_SIM_TOOLKIT: sw(0x9100, 0xff00, 'normal', 'Normal ending, with extra proactive command of length xx pending', UICC),
  GSM_MEMORY_RETRIED: sw(0x9200, 0xfff0, 'warning', 'Command successful but after using an internal update retry routine x times', GSM),
  GSM_MEMORY_PROBLEM: sw(0x9240, 0xffff, 'execution-error', 'Memory problem', GSM),
  GSM_NO_EF_SELECTED: sw(0x9400, 0xffff, 'checking-error', 'No EF selected', GSM),
  GSM_OUT_OF_RANGE: sw(0x9402, 0xffff, 'checking-error', 'Out of range (invalid address)', GSM),
  GSM_FILE_NOT_FOUND: sw(0x9404, 0xffff, 'checking-error', 'File ID / pattern not found', GSM),
  GSM_FILE_INCONSISTENT: sw(0x9408, 0xffff, 'checking-error', 'File is inconsistent with the command', GSM),
  GSM_NO_CHV_INITIALISED: sw(0x9802, 0xffff, 'checking-error', 'No CHV initialised', GSM),
  GSM_ACCESS_NOT_FULFILLED: sw(0x9804, 0xffff, 'checking-error', 'Access condition not fulfilled / unsuccessful CHV verification, at least one attempt left / unsuccessful UNBLOCK CHV, at least one attempt left / authentication failed', GSM),
  GSM_CONTRADICTION_CHV: sw(0x9808, 0xffff, 'checking-error', 'In contradiction with CHV status', GSM),
  GSM_CONTRADICTION_INVALIDATION: sw(0x9810, 0xffff, 'checking-error', 'In contradiction with invalidation status', GSM),
  GSM_CHV_BLOCKED: sw(0x9840, 0xffff, 'checking-error', 'Unsuccessful CHV verification, no attempt left / CHV blocked / UNBLOCK CHV blocked', GSM),
  GSM_MAX_VALUE_REACHED: sw(0x9850, 0xffff, 'checking-error', 'Increase cannot be performed, maximum value reached', GSM),
  AUTH_MAC_FAILURE: sw(0x9862, 0xffff, 'checking-error', 'Authentication error, incorrect MAC', UICC),
  NV_UNCHANGED_WARNING: sw(0x6200, 0xffff, 'warning', 'No information given, state of non-volatile memory unchanged', ISO),
  END_OF_FILE: sw(0x6282, 0xffff, 'warning', 'End of file or record reached before reading Ne bytes', ISO),
  FILE_DEACTIVATED: sw(0x6283, 0xffff, 'warning', 'Selected file deactivated (invalidated)', ISO),
  VERIFY_FAILED_RETRIES: sw(0x63c0, 0xfff0, 'warning', 'Verification failed, x further retries allowed', ISO),
  NV_CHANGED_WARNING: sw(0x6300, 0xffff, 'warning', 'No information given, state of non-volatile memory changed (GlobalPlatform EXTERNAL AUTHENTICATE: host cryptogram verification failed)', ISO),
  MORE_DATA_AVAILABLE: sw(0x6310, 0xffff, 'warning', 'More data available (GlobalPlatform GET STATUS: send it again with P2 b1 set for the next entries)', 'GlobalPlatform CS v2.3.1 §11.4.3'),
  EXECUTION_ERROR: sw(0x6400, 0xffff, 'execution-error', 'Execution error, state of non-volatile memory unchanged', ISO),
  MEMORY_FAILURE: sw(0x6581, 0xffff, 'execution-error', 'Memory failure', ISO),
  WRONG_LENGTH: sw(0x6700, 0xffff, 'checking-error', 'Wrong length (Lc or Le inconsistent with the command)', ISO),
  GSM_WRONG_P3: sw(0x6700, 0xff00, 'checking-error', 'Incorrect parameter P3; xx = the correct length (00: none given)', GSM),
  CLA_FUNCTION_NOT_SUPPORTED: sw(0x6800, 0xffff, 'checking-error', 'Functions in CLA not supported', ISO),
  LOGICAL_CHANNEL_NOT_SUPPORTED: sw(0x6881, 0xffff, 'checking-error', 'Logical channel not supported or not open', ISO),
  SECURE_MESSAGING_NOT_SUPPORTED: sw(0x6882, 0xffff, 'checking-error', 'Secure messaging not supported', ISO),
  LAST_COMMAND_OF_CHAIN_EXPECTED: sw(0x6883, 0xffff, 'checking-error', 'Last command of the chain expected', ISO),
  COMMAND_CHAINING_NOT_SUPPORTED: sw(0x6884, 0xffff, 'checking-error', 'Command chaining not supported', ISO),
  COMMAND_NOT_ALLOWED: sw(0x6900, 0xffff, 'checking-error', 'Command not allowed, no information given', ISO),
  COMMAND_INCOMPATIBLE_WITH_FILE: sw(0x6981, 0xffff, 'checking-error', 'Command incompatible with file structure', ISO),
  SECURITY_STATUS_NOT_SATISFIED: sw(0x6982, 0xffff, 'checking-error', 'Security status not satisfied', ISO),
  AUTH_METHOD_BLOCKED: sw(0x6983, 0xffff, 'checking-error', 'Authentication method blocked', ISO),
  REFERENCE_DATA_INVALIDATED: sw(0x6984, 0xffff, 'checking-error', 'Reference data not usable', ISO),
  CONDITIONS_NOT_SATISFIED: sw(0x6985, 0xffff, 'checking-error', 'Conditions of use not satisfied', ISO),
  COMMAND_NOT_ALLOWED_NO_EF: sw(0x6986, 0xffff, 'checking-error', 'Command not allowed (no current EF)', ISO),
  INCORRECT_SM_DATA_OBJECTS: sw(0x6988, 0xffff, 'checking-error', 'Incorrect secure messaging data objects', ISO),
  WRONG_PARAMETERS_NO_INFO: sw(0x6a00, 0xffff, 'checking-error', 'Wrong parameters P1-P2, no information given', ISO),
  WRONG_DATA: sw(0x6a80, 0xffff, 'checking-error', 'Incorrect parameters in the command data field', ISO),
  FUNCTION_NOT_SUPPORTED: sw(0x6a81, 0xffff, 'checking-error', 'Function not supported', ISO),
  FILE_NOT_FOUND: sw(0x6a82, 0xffff, 'checking-error', 'File or application not found', ISO),
  RECORD_NOT_FOUND: sw(0x6a83, 0xffff, 'checking-error', 'Record not found', ISO),
  NOT_ENOUGH_MEMORY: sw(0x6a84, 0xffff, 'checking-error', 'Not enough memory space in the file', ISO),
  NC_INCONSISTENT_WITH_TLV: sw(0x6a85, 0xffff, 'checking-error', 'Nc inconsistent with TLV structure', ISO),
  INCORRECT_P1P2: sw(0x6a86, 0xffff, 'checking-error', 'Incorrect parameters P1-P2', ISO),
  NC_INCONSISTENT_WITH_P1P2: sw(0x6a87, 0xffff, 'checking-error', 'Nc inconsistent with parameters P1-P2', ISO),
  REFERENCE_DATA_NOT_FOUND: sw(0x6a88, 0xffff, 'checking-error', 'Referenced data or reference data not found', ISO),
  FILE_EXISTS: sw(0x6a89, 0xffff, 'checking-error', 'File already exists', ISO),
  WRONG_P1P2: sw(0x6b00, 0xffff, 'checking-error', 'Wrong parameters P1-P2 (offset outside the EF)', ISO),
  WRONG_LE: sw(0x6c00, 0xff00, 'checking-error', 'Wrong Le field; xx = the exact number of available data bytes', ISO),
  INS_NOT_SUPPORTED: sw(0x6d00, 0xffff, 'checking-error', 'Instruction code not supported or invalid', ISO),
  CLA_NOT_SUPPORTED: sw(0x6e00, 0xffff, 'checking-error', 'Class not supported', ISO),
  NO_PRECISE_DIAGNOSIS: sw(0x6f00, 0xffff, 'checking-error', 'No precise diagnosis (internal error in the card)', ISO),
  APPLET_SELECT_FAILED: sw(0x6999, 0xffff, 'checking-error', 'Applet selection failed / no applet selected on this channel', 'Java Card 3 RE §4.5'),
  LEDGER_INSUFFICIENT_FUNDS: sw(0x6910, 0xffff, 'proprietary', 'Ledger: balance lower than the price; nothing changed', 'cardforge ledger'),
  LEDGER_CEILING_REACHED: sw(0x6911, 0xffff, 'proprietary', 'Ledger: the debit would pass the postpaid ceiling; nothing changed', 'cardforge ledger'),
  LEDGER_REPLAYED: sw(0x6912, 0xffff, 'proprietary', 'Ledger: not the outstanding card challenge, counter or authorisation already used, or an editor key version not above the registered one (replay, rollback); nothing changed', 'cardforge ledger'),
  LEDGER_LOG_NOT_EXPORTED: sw(0x6913, 0xffff, 'proprietary', 'Ledger: usage records must be exported and acknowledged first (LOAD), or the log is full of unexported records (DEBIT)', 'cardforge ledger'),
  LEDGER_MAX_BALANCE: sw(0x6914, 0xffff, 'proprietary', 'Ledger: the load would pass the maximum balance; nothing changed', 'cardforge ledger'),
  LEDGER_TICKET_USED: sw(0x6915, 0xffff, 'proprietary', 'Ledger: ticket already validated', 'cardforge ledger'),
  LEDGER_BAD_SIGNATURE: sw(0x6916, 0xffff, 'proprietary', 'Ledger: signature does not verify with the stored key; nothing changed', 'cardforge ledger'),
  LEDGER_TICKET_INVALID_NOW: sw(0x6917, 0xffff, 'proprietary', 'Ledger: ticket not valid at the gate time', 'cardforge ledger'),
  WALLET_USE_PAYMENT_CARD: sw(0x6920, 0xffff, 'proprietary', 'Wallet: amount above the purse threshold; pay with the payment card (SIGN TRANSACTION); nothing changed', 'cardforge e-wallet'),
  WALLET_INSUFFICIENT_FUNDS: sw(0x6921, 0xffff, 'proprietary', 'Wallet: purse balance lower than the amount; nothing changed', 'cardforge e-wallet'),
  WALLET_REPLAYED: sw(0x6922, 0xffff, 'proprietary', 'Wallet: host challenge or load counter already used (replay); nothing changed', 'cardforge e-wallet'),
  WALLET_MAX_BALANCE: sw(0x6923, 0xffff, 'proprietary', 'Wallet: the load would pass the maximum balance; nothing changed', 'cardforge e-wallet'),
  WALLET_BAD_SIGNATURE: sw(0x6924, 0xffff, 'proprietary', 'Wallet: issuer signature does not verify; nothing changed', 'cardforge e-wallet'),
} as const;

export type SwName = keyof typeof TABLE;

/** Every status word the project declares, with its name. */
export const STATUS_WORDS: readonly StatusWordSpec[] = Object.entries(TABLE).map(([name, e]) => ({ name, ...e }));

/** Numeric constants by name: SW.WRONG_LENGTH === 0x6700 (for patterned entries, the base value). */
export const SW = Object.fromEntries(Object.entries(TABLE).map(([name, e]) => [name, e.sw])) as {
  readonly [K in SwName]: number;
};


/** Look up the declaration that explains a status word (exact entries win over patterns). */
export function describeSw(value: number): StatusWordSpec | undefined {
  let best: StatusWordSpec | undefined;
  for (const e of STATUS_WORDS) {
    if ((value & e.mask) !== e.sw) continue;
    if (!best || popcount(e.mask) > popcount(best.mask)) best = e;
  }
  return best;
}

function popcount(x: number): number {
  let n = 0;
  for (let v = x; v; v &= v - 1) n++;
  return n;
}
