/** card/applets/payment: the payment applet and its shared record encoding (public face; re-exports only). */
export { PaymentApplet } from './payment.js';
export * from './types.js';
export * from './record.js';
export { aesCmac, cmacSubkeys } from './cmac.js';
export { TlvError, parseFields, readTlv, tlv, template, type TlvField } from './tlv.js';
