/** card/applets: the applets and the registry used to rebuild cards from images. */
import type { AppletClass } from '../runtime/index.js';
import { registerAppletSpecs, type CommandSpec } from '../../apdu-specs/index.js';
import { LoopbackApplet } from './loopback/loopback.js';
import { LedgerApplet } from './ledger/ledger.js';
import { SimApplet } from './sim/sim.js';
import { PaymentApplet } from './payment/payment.js';
import { AramApplet } from './aram/aram.js';
import { WalletApplet } from './wallet/wallet.js';
import { IsdApplet } from './isd/isd.js';

export { LoopbackApplet };
export { LedgerApplet };
export { SimApplet };
export { PaymentApplet };
export { AramApplet };
export { WalletApplet };
export { IsdApplet };

const registry = new Map<string, AppletClass>([[LoopbackApplet.type, LoopbackApplet], [SimApplet.type, SimApplet], [LedgerApplet.type, LedgerApplet], [PaymentApplet.type, PaymentApplet], [AramApplet.type, AramApplet], [WalletApplet.type, WalletApplet], [IsdApplet.type, IsdApplet]]);

/** Applet types by the name stored in card images (built-in ones, then those registered). */
export const APPLET_REGISTRY: ReadonlyMap<string, AppletClass> = registry;

/** A user's applet: its class, and the declarations of its commands under the AID it is installed with. */
export interface AppletRegistration {
  readonly applet: AppletClass;
  /** Instance AID as installed (hex); decoders name commands by the applet selected on a channel. */
  readonly aid: string;
  readonly commands: readonly CommandSpec[];
  /** Short name for decoders and docs; default: the class's `type`. */
  readonly name?: string;
}

/**
 * Register a user's applet (issue 16): card images holding it load, and its commands are decoded,
 * masked and documented like a built-in applet's. Registering the same class twice is a no-op;
 * another class under a registered type name, or a clash of AID or command names, is a RangeError.
 */
export function registerApplet(r: AppletRegistration): void {
  const known = registry.get(r.applet.type);
  if (known === r.applet) return;
  if (known !== undefined) throw new RangeError(`registerApplet: another applet class is registered as "${r.applet.type}"`);
  if (typeof r.applet.type !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/i.test(r.applet.type)) throw new RangeError(`registerApplet: the class needs a static "type" name (letters, digits, . _ -), got ${JSON.stringify(r.applet.type)}`);
  registerAppletSpecs({ name: r.name ?? r.applet.type, aid: r.aid.toLowerCase(), commands: r.commands });
  registry.set(r.applet.type, r.applet);
}
