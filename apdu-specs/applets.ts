/**
 * Which commands belong to which applet, by the applet instance AID the product installs them
 * under. Decoders use it to name a command by the applet selected on its channel (00 20 is VERIFY
 * PIN for the USIM, VERIFY payment code for the payment applet and for the ledger).
 */
import type { CommandSpec } from './types.js';
import { LOOPBACK_AID, LOOPBACK_COMMANDS } from './loopback.js';
import { SIM_CLASSIC_COMMANDS } from './ts51011.js';
import { UICC_COMMANDS } from './ts102221.js';
import { CAT_COMMANDS, GSM_TOOLKIT_COMMANDS } from './ts102223.js';
import { PAYMENT_AID, PAYMENT_COMMANDS } from './payment.js';
import { LEDGER_AID, LEDGER_COMMANDS } from './ledger.js';
import { WALLET_AID, WALLET_COMMANDS } from './wallet.js';
import { PERSONALIZATION_COMMANDS } from './personalization.js';
import { ARAM_AID, ARAM_COMMANDS } from './aram.js';
import { SIM_APPLET_AID, ISD_AID, OPEN_PLATFORM_ISD_AID } from './aids.js';
import { GLOBALPLATFORM_COMMANDS } from './globalplatform.js';

export interface AppletSpecs {
  readonly name: string;
  /** Instance AID (hex, lower case) as the product installs the applet. */
  readonly aid: string;
  readonly commands: readonly CommandSpec[];
}


export const APPLET_SPECS: readonly AppletSpecs[] = [
  { name: 'sim', aid: SIM_APPLET_AID, commands: [...SIM_CLASSIC_COMMANDS, ...UICC_COMMANDS, ...GSM_TOOLKIT_COMMANDS, ...CAT_COMMANDS, ...PERSONALIZATION_COMMANDS] },
  { name: 'payment', aid: PAYMENT_AID, commands: [...PAYMENT_COMMANDS, ...PERSONALIZATION_COMMANDS] },
  { name: 'ledger', aid: LEDGER_AID, commands: [...LEDGER_COMMANDS, ...PERSONALIZATION_COMMANDS] },
  { name: 'wallet', aid: WALLET_AID, commands: [...WALLET_COMMANDS, ...PERSONALIZATION_COMMANDS] },
  { name: 'loopback', aid: LOOPBACK_AID, commands: LOOPBACK_COMMANDS },
  { name: 'aram', aid: ARAM_AID, commands: ARAM_COMMANDS },
  { name: 'isd', aid: ISD_AID, commands: GLOBALPLATFORM_COMMANDS },
  // The same ISD where SIMs keep it (profile-built and blank SIMs, the sysmoISIM-SJA2).
  { name: 'isd', aid: OPEN_PLATFORM_ISD_AID, commands: GLOBALPLATFORM_COMMANDS },
];
