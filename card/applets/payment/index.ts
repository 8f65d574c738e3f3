/**
 * card/applets/payment: the payment applet (public face; re-exports only).
 * The wire formats (records, tokens, grants, signing inputs, their TLV codec) live in card/protocol (payment.ts), not here.
 */
export { PaymentApplet } from './payment.js';
export * from './types.js';
