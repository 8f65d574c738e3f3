/**
 * `cardforge/backend`: the server-side actors — the AuC (Milenage / GSM-Milenage / COMP128 / XOR
 * vectors, SQN resynchronisation), the payment issuer/server/gateway/authentication server and the
 * ledger issuer/payment server/software interface.
 */
export * from '../host/backend/auc.js';
export * as payment from '../host/backend/payment/index.js';
export * as ledger from '../host/backend/ledger/index.js';
