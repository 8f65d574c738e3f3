/**
 * The e-wallet applet (SFR JP 2000-69571, seed 000): a purse tied to the subscriber (the IMSI
 * hash stored at personalization; PAY needs the SIM's "subscriber authenticated" session fact),
 * paying amounts up to a configurable threshold from the card and sending larger ones to the
 * payment card (the payment applet's SIGN TRANSACTION: credit). Commands: apdu-specs/wallet.ts;
 * layouts and signed messages: card/protocol/wallet.ts.
 *
 * This file builds the command table; the state is core.ts, the purse commands and their
 * atomicity and replay rules purse.ts, personalization store-data.ts. The wallet never imports
 * another applet: the subscriber binding is the SIM-owned session fact, read only.
 */
import { WALLET_COMMANDS } from '../../../apdu-specs/wallet.js';
import { PERSONALIZATION_COMMANDS } from '../../../apdu-specs/personalization.js';
import { Applet, isFactoryInstall, type AppletContext, type AppletParams, type CommandTable, storeDataBlock } from '../../runtime/index.js';
import { WalletCore } from './core.js';
import { challenge, info, lastReceipt, load, pay, publicKey } from './purse.js';
import { walletTable, WalletStoreData } from './store-data.js';
import type { WalletPersonalization } from './types.js';

export class WalletApplet extends Applet {
  static readonly type = 'cardforge.wallet';
  readonly commands: CommandTable;
  private readonly core: WalletCore;
  private readonly perso: WalletStoreData;

  constructor(ctx: AppletContext, params: AppletParams) {
    super(ctx, params);
    const core = new WalletCore(ctx);
    this.core = core;
    this.perso = new WalletStoreData(ctx, core);
    this.commands = walletTable([...WALLET_COMMANDS, ...PERSONALIZATION_COMMANDS], () => this.perso, {
      WALLET_GET_INFO: () => info(core),
      WALLET_GET_PUBLIC_KEY: () => publicKey(core),
      WALLET_GET_CHALLENGE: () => challenge(core),
      WALLET_PAY: (a, s) => pay(core, a, s),
      WALLET_GET_LAST_RECEIPT: () => lastReceipt(core),
      WALLET_LOAD: (a, s) => load(core, a, s),
    });
  }

  /** STORE DATA blocks forwarded by the ISD (INSTALL [for personalization]; perso.ts PersoBlocks). */
  override processData(command: Uint8Array): void {
    this.perso.processData(storeDataBlock(command));
  }

  override install(personalization: unknown): void {
    // Blank: layout only; the ISD's STORE DATA personalizes it and generates the keys.
    if (isFactoryInstall(personalization)) return this.perso.factory();
    this.core.generateKeys();
    // Installed without values (e.g. an empty image): the issuer key is zero, so LOAD is refused.
    if (typeof personalization === 'object' && personalization !== null && Object.keys(personalization).length === 0) return;
    this.core.personalize(personalization as WalletPersonalization);
  }
}
