/**
 * `cardforge/applets`: the built-in applets and their installers — the SIM/USIM (classic SIM and
 * UICC/USIM, from a profile or a real card's file system), payment, ledger, ARA-M, loopback, the
 * GlobalPlatform Issuer Security Domain (SCP02/SCP03, card content management) — each
 * also as a namespace with its types and helpers.
 */
export { SimApplet, PaymentApplet, LedgerApplet, WalletApplet, AramApplet, LoopbackApplet, IsdApplet, APPLET_REGISTRY, registerApplet, type AppletRegistration } from '../card/applets/index.js';
export { installSim, simDefaultAtr, SIM_AID, USIM_AID } from '../card/applets/sim/index.js';
export { installAram } from '../card/applets/aram/index.js';
export { installIsd, ISD_AID } from '../card/applets/isd/index.js';
export * as sim from '../card/applets/sim/index.js';
export * as payment from '../card/applets/payment/index.js';
export * as ledger from '../card/applets/ledger/index.js';
export * as wallet from '../card/applets/wallet/index.js';
export * as aram from '../card/applets/aram/index.js';
export * as isd from '../card/applets/isd/index.js';
