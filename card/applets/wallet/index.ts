/**
 * card/applets/wallet: the e-wallet applet (public face; re-exports only).
 * The wire formats (AID, layouts, signing inputs) live in card/protocol (wallet.ts), not here.
 */
export { WalletApplet } from './wallet.js';
export type { WalletPersonalization } from './types.js';
