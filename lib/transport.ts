/**
 * `cardforge/transport`: one Transport interface over the in-process emulator, PC/SC readers (the
 * optional `smartcard` addon, loaded lazily) and the vpcd card endpoint that serves a card to pcscd.
 */
export * from '../host/transport/index.js';
