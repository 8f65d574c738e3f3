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
/**
 * GlobalPlatform from the host over any Transport (issue 21): `gp.openSecureChannel(transport,
 * { keys, kvn, scp, level })` opens SCP02/SCP03 (node:crypto, checked against published vectors and
 * recorded real-card sessions) and returns a session whose transmit() wraps and unwraps; the card-
 * management commands (getStatus, install, deleteAid, setLocked, putKeySet, storeData), gpInfo and
 * the decoders of CPLC, card data, key information and GET STATUS answers.
 */
export * as gp from '../host/gp/index.js';
