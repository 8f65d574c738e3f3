/**
 * card/applets/ledger: the prepaid / postpaid usage ledger applet (public face; re-exports only).
 * The wire formats (AID, layouts, signing inputs) live in card/protocol (ledger.ts), not here.
 */
export { LedgerApplet } from './ledger.js';
export * from './types.js';
