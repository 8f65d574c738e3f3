/** apdu-specs: the declarations of every command and status word. Data only. */
export * from './types.js';
export * from './status-words.js';
export * from './iso7816.js';
export * from './loopback.js';
export * from './ts51011.js';
export * from './ts102221.js';
export * from './ts102223.js';
export * from './payment.js';
export * from './ledger.js';
export * from './personalization.js';
export * from './aram.js';

import { RUNTIME_COMMANDS } from './iso7816.js';
import { LOOPBACK_COMMANDS } from './loopback.js';
import { SIM_CLASSIC_COMMANDS } from './ts51011.js';
import { UICC_COMMANDS } from './ts102221.js';
import { CAT_COMMANDS, GSM_TOOLKIT_COMMANDS } from './ts102223.js';
import { PAYMENT_COMMANDS } from './payment.js';
import { LEDGER_COMMANDS } from './ledger.js';
import { PERSONALIZATION_COMMANDS } from './personalization.js';
import { ARAM_COMMANDS } from './aram.js';
import type { CommandSpec } from './types.js';

/** Every declared command, for decoders and the command reference (runtime first). */
export const ALL_COMMANDS: readonly CommandSpec[] = [...RUNTIME_COMMANDS, ...LOOPBACK_COMMANDS, ...SIM_CLASSIC_COMMANDS, ...UICC_COMMANDS, ...GSM_TOOLKIT_COMMANDS, ...CAT_COMMANDS, ...PAYMENT_COMMANDS, ...LEDGER_COMMANDS, ...PERSONALIZATION_COMMANDS, ...ARAM_COMMANDS];
export * from './session-facts.js';
export * from './applets.js';
