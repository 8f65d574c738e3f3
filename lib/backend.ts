/**
 * `cardforge/backend`: the server-side actors — the AuC (Milenage / GSM-Milenage / COMP128 / XOR
 * vectors, SQN resynchronisation), the payment issuer/server/gateway/authentication server and the
 * ledger issuer/payment server/software interface — and `protocol`, the wire formats the card
 * applets and these actors share (ledger layouts and signing inputs, payment TLV statements).
 */
export * from '../host/backend/auc.js';
export * as payment from '../host/backend/payment/index.js';
export * as ledger from '../host/backend/ledger/index.js';
export * as wallet from '../host/backend/wallet/index.js';
/** The wire formats of card/protocol (ledger AID, layouts, signing inputs; payment records, tokens, grants, TLV codec): their one public home. */
export * as protocol from '../card/protocol/index.js';
