/** host/backend/ledger: the ledger's back-end actors (public face; re-exports only). */
export * from './errors.js';
export * from './keys.js';
export * from './card-client.js';
export * from './issuer.js';
export * from './software-interface.js';
export * from './server.js';
