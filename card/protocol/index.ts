/**
 * card/protocol: the wire formats shared by the card applets and the host back end (public face;
 * re-exports only). Imports only card/runtime, card/algorithms and apdu-specs (data).
 * - ledger: the ledger applet's AID, byte layouts (DEBIT, REC, INFO, EXPORT, TICKET, SLOT,
 *   TRANSFER, FLAG) and the signing inputs (offerDigest, receiptDigest, …).
 * - payment: the payment applet's BER-TLV statements (records, token, grants) and their codecs.
 * - wallet: the e-wallet applet's AID, byte layouts (PAY, WREC, WINFO) and signing inputs.
 */
export * from './ledger.js';
export * from './payment.js';
export * from './wallet.js';
export * from './subscriber.js';
export * from './card-key.js';
