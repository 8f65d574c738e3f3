/**
 * `cardforge/transport`: one Transport interface over the in-process emulator, PC/SC readers (the
 * optional `smartcard` addon, loaded lazily) and the vpcd card endpoint that serves a card to pcscd.
 */
export * from '../host/transport/index.js';
/**
 * The Node crypto provider for the cards a host runs (issue 20): `new Card({ crypto: NODE_CRYPTO })`
 * or `installCryptoFromEnv()` (CARDFORGE_CRYPTO, as the CLI does); same bytes as the pure default.
 */
export { CRYPTO_PROVIDER_NAMES, NODE_CRYPTO, cryptoProvider, installCryptoFromEnv, type CryptoProviderName } from '../host/crypto/node-provider.js';
