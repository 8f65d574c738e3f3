/** card/applets: the applets and the registry used to rebuild cards from images. */
import type { AppletClass } from '../runtime/index.js';
import { LoopbackApplet } from './loopback/loopback.js';
import { LedgerApplet } from './ledger/ledger.js';
import { SimApplet } from './sim/sim.js';
import { PaymentApplet } from './payment/payment.js';
import { AramApplet } from './aram/aram.js';

export { LoopbackApplet };
export { LedgerApplet };
export { SimApplet };
export { PaymentApplet };
export { AramApplet };

/** Applet types by the name stored in card images. */
export const APPLET_REGISTRY: ReadonlyMap<string, AppletClass> = new Map<string, AppletClass>([[LoopbackApplet.type, LoopbackApplet], [SimApplet.type, SimApplet], [LedgerApplet.type, LedgerApplet], [PaymentApplet.type, PaymentApplet], [AramApplet.type, AramApplet]]);
