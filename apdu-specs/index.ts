/** apdu-specs: the declarations of every command and status word. Data only. */
export * from './types.js';
export { describeP1P2, p1p2Accepted, p1p2Refusal, p1p2Text, wrongP1P2Sw, P1P2_ANY, P1P2_ZERO } from './p1p2.js';
export * from './status-words.js';
export * from './iso7816.js';
export * from './loopback.js';
export * from './ts51011.js';
export * from './ts102221.js';
export * from './ts102223.js';
export * from './payment.js';
export * from './ledger.js';
export * from './wallet.js';
export * from './personalization.js';
export * from './aram.js';
export { GLOBALPLATFORM_COMMANDS, ISD_COMMANDS, GP_TAGS } from './globalplatform.js';
export * from './by-name.js';

import { RUNTIME_COMMANDS } from './iso7816.js';
import { LOOPBACK_COMMANDS } from './loopback.js';
import { SIM_CLASSIC_COMMANDS } from './ts51011.js';
import { UICC_COMMANDS } from './ts102221.js';
import { CAT_COMMANDS, GSM_TOOLKIT_COMMANDS } from './ts102223.js';
import { PAYMENT_COMMANDS } from './payment.js';
import { LEDGER_COMMANDS } from './ledger.js';
import { WALLET_COMMANDS } from './wallet.js';
import { PERSONALIZATION_COMMANDS } from './personalization.js';
import { ARAM_COMMANDS } from './aram.js';
import { GLOBALPLATFORM_COMMANDS } from './globalplatform.js';
import type { CommandSpec } from './types.js';
import { APPLET_SPECS, type AppletSpecs } from './applets.js';

const allCommands: CommandSpec[] = [...RUNTIME_COMMANDS, ...LOOPBACK_COMMANDS, ...SIM_CLASSIC_COMMANDS, ...UICC_COMMANDS, ...GSM_TOOLKIT_COMMANDS, ...CAT_COMMANDS, ...PAYMENT_COMMANDS, ...LEDGER_COMMANDS, ...WALLET_COMMANDS, ...PERSONALIZATION_COMMANDS, ...ARAM_COMMANDS, ...GLOBALPLATFORM_COMMANDS];

/**
 * Every declared command, for decoders, masking and the command reference (runtime first, then
 * the built-in applets', then those registered with registerAppletSpecs, in registration order).
 */
export const ALL_COMMANDS: readonly CommandSpec[] = allCommands;

/**
 * Open the registry to a user's applet (issue 16): its command declarations join ALL_COMMANDS and
 * APPLET_SPECS, so traces decode its commands by name, masking hides its `secret` fields and the
 * command reference documents it — exactly like a built-in applet. Refused (RangeError): a name or
 * AID already registered, an AID that is not 5..16 bytes of hex, a command name already declared.
 */
export function registerAppletSpecs(entry: AppletSpecs): void {
  if (!/^([0-9a-f]{2}){5,16}$/.test(entry.aid)) throw new RangeError(`registerAppletSpecs: "aid" expected 5..16 bytes as lower-case hex, got "${entry.aid}"`);
  if (APPLET_SPECS.some((a) => a.name === entry.name || a.aid === entry.aid)) throw new RangeError(`registerAppletSpecs: an applet named "${entry.name}" or with AID ${entry.aid} is registered already`);
  for (const c of entry.commands) {
    if (allCommands.some((d) => d.name === c.name && d !== c)) throw new RangeError(`registerAppletSpecs: command ${c.name} is declared already; give ${entry.name}'s commands their own names`);
  }
  (APPLET_SPECS as AppletSpecs[]).push(entry);
  for (const c of entry.commands) if (!allCommands.includes(c)) allCommands.push(c);
}
export * from './session-facts.js';
export * from './applets.js';
export * from './aids.js';
