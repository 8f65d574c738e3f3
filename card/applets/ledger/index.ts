/** card/applets/ledger: the prepaid / postpaid usage ledger applet (public face; re-exports only). */
export { LedgerApplet } from './ledger.js';
export * from './types.js';
export * from './messages.js';
export { publicKeyOf, signDigest, verifyDigest, scalarFromSeed, bytesToBig, PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH } from '../../algorithms/p256.js';
export { seal, open as openSealed, aes128Ctr, aesCmac } from './seal.js';
export { SEALED_LENGTH } from './tickets.js';
