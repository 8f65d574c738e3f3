/** host/backend/payment: the payment back-end actors of the seeds (public face; re-exports only). */
export * from './errors.js';
export * from './issuer.js';
export * from './payment-server.js';
export * from './gateway.js';
export * from './auth-server.js';
export * from './card-company.js';
export * from './settlement.js';
