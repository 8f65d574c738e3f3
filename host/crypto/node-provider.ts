/**
 * The Node crypto provider (issue 20): the card's primitives on node:crypto (OpenSSL) where that
 * measured faster on this machine kind, the pure-TypeScript ones elsewhere, with the same bytes
 * out for the same bytes in — so card images, responses and golden transcripts do not depend on
 * which provider runs the card.
 * - SHA-256: node's one-shot hash (createHash before Node 20.12): faster from 64 bytes on.
 * - P-256 public key d·G and ECDSA signing: signing keeps the RFC 6979 nonce (node:crypto only
 *   signs with random nonces, which would change every signature in the golden transcripts), so
 *   it runs the card's own RFC 6979 code (signDigestWith) over node's HMAC-SHA256 and node's k·G
 *   (ECDH: setPrivateKey(k) computes k·G in OpenSSL, about ten times faster than the pure comb).
 * - ECDSA verify stays pure: node verifies only over the message it hashes itself (a null
 *   algorithm means SHA-256 of the input), while the card verifies digests of tagged statements
 *   it computed; the pure verify keeps W=10 tables for long-lived keys.
 * - AES-128: pure. One block through a cached createCipheriv('aes-128-ecb') cost about 1.06 µs
 *   against 0.23 µs for the pure T-table code (Milenage runs 6 single blocks per AUTHENTICATE).
 * Hazard: the shared ECDH object holds the last nonce k until the next signature (the pure code
 * leaves the same values to the garbage collector); this is an emulator, not a signing service.
 */
import * as nodeCrypto from 'node:crypto';
import { P256_ORDER, PURE_CRYPTO, bigToBytes, bytesToBig, signDigestWith, type SignOps } from '../../card/algorithms/index.js';
import { setDefaultCryptoProvider, type CryptoProvider } from '../../card/runtime/index.js';

const ecdh = nodeCrypto.createECDH('prime256v1');

function asBytes(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

/** d·G (uncompressed) for a 32-byte scalar already known to be in 1..n-1. */
function baseMultiply(d: Uint8Array): Buffer {
  ecdh.setPrivateKey(d);
  return ecdh.getPublicKey();
}

function scalarBytes(d: Uint8Array): Uint8Array {
  const x = d instanceof Uint8Array && d.length === 32 ? bytesToBig(d) : -1n;
  if (x <= 0n || x >= P256_ORDER) throw new RangeError('"secretKey" expected 32 bytes holding a scalar in 1..n-1');
  return d;
}

const oneShot = (nodeCrypto as { hash?: (alg: string, data: Uint8Array, enc: 'buffer') => Buffer }).hash;

const NODE_SIGN_OPS: SignOps = {
  hmac: (key, msg) => asBytes(nodeCrypto.createHmac('sha256', key).update(msg).digest()),
  baseX: (k) => bytesToBig(baseMultiply(bigToBytes(k, 32)).subarray(1, 33)),
};

export const NODE_CRYPTO: CryptoProvider = Object.freeze({
  name: 'node',
  aes128Encrypt: PURE_CRYPTO.aes128Encrypt,
  sha256(data: Uint8Array): Uint8Array {
    if (!(data instanceof Uint8Array)) throw new TypeError('sha256: "data" expected Uint8Array');
    return asBytes(oneShot !== undefined ? oneShot('sha256', data, 'buffer') : nodeCrypto.createHash('sha256').update(data).digest());
  },
  p256PublicKey: (secretKey: Uint8Array): Uint8Array => new Uint8Array(baseMultiply(scalarBytes(secretKey))),
  p256Sign: (secretKey: Uint8Array, digest: Uint8Array, extraEntropy?: Uint8Array, lowS?: boolean): Uint8Array =>
    signDigestWith(NODE_SIGN_OPS, secretKey, digest, extraEntropy, lowS ?? true),
  p256Verify: PURE_CRYPTO.p256Verify,
});

export const CRYPTO_PROVIDER_NAMES = ['node', 'pure'] as const;
export type CryptoProviderName = (typeof CRYPTO_PROVIDER_NAMES)[number];

/** The provider named `name` ('node' or 'pure'); `source` names where the name came from in the error. */
export function cryptoProvider(name: string, source = 'crypto provider'): CryptoProvider {
  if (name === 'node') return NODE_CRYPTO;
  if (name === 'pure') return PURE_CRYPTO;
  throw new RangeError(`${source}: expected "node" or "pure", got ${JSON.stringify(name)}`);
}

/**
 * Set the process-wide provider of new cards from CARDFORGE_CRYPTO ('node' or 'pure'; unset or
 * empty: `fallback`). The CLI calls it with 'node'; the test set-up with 'pure', so
 * CARDFORGE_CRYPTO=node runs the card tests on the Node provider. Returns the provider set.
 */
export function installCryptoFromEnv(env: NodeJS.ProcessEnv = process.env, fallback: CryptoProviderName = 'node'): CryptoProvider {
  const v = env['CARDFORGE_CRYPTO'];
  const p = cryptoProvider(v === undefined || v === '' ? fallback : v, 'CARDFORGE_CRYPTO');
  setDefaultCryptoProvider(p);
  return p;
}
