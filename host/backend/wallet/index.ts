/** host/backend/wallet: the e-wallet's terminal client and issuer (public face; re-exports only). */
export * from './card-client.js';
export * from './issuer.js';
