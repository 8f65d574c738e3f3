/** card/applets/payment: the payment applet (public face; re-exports only). */
export { PaymentApplet } from './payment.js';
export * from './types.js';
// The wire formats (records, tokens, grants, signing inputs, their TLV codec) live in card/protocol/payment.ts; re-exported as part of this applet's face.
export * from '../../protocol/payment.js';
