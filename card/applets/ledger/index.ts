/** card/applets/ledger: the prepaid / postpaid usage ledger applet (public face; re-exports only). */
export { LedgerApplet } from './ledger.js';
export * from './types.js';
// The wire formats (AID, layouts, signing inputs) live in card/protocol/ledger.ts; re-exported as part of this applet's face.
export * from '../../protocol/ledger.js';
export { seal, open as openSealed } from './seal.js';
export { SEALED_LENGTH } from './tickets.js';
