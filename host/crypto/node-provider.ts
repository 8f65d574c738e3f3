/**
 * The Node crypto provider (issue 20): the card's primitives on node:crypto (OpenSSL) where that
 * measured faster on this machine kind, the pure-TypeScript ones elsewhere, with the same bytes
 * out for the same bytes in — so card images, responses and golden transcripts do not depend on
 * which provider runs the card.
 * - SHA-256: node's one-shot hash (createHash before Node 20.12): faster from 64 bytes on.
 * - P-256 public key d·G and ECDSA signing: signing keeps the RFC 6979 nonce (node:crypto only
 *   signs with random nonces, which would change every signature in the golden transcripts), so
 *   it runs the card's own RFC 6979 code (signDigestWith) over node's k·G (ECDH: setPrivateKey(k)
 *   computes k·G in OpenSSL, about ten times faster than the pure comb). The DRBG's HMAC stays
 *   the card's own: with the pad states kept per K it beat node's one-shot hash (two per MAC).
 * - ECDSA verify over a message (p256VerifyMessage, what the card's call sites use: they have the
 *   signed statement at hand): node:crypto's verify('sha256', message, key, sig) with the key as a
 *   KeyObject made from its JWK (about 100 µs to make, so long-lived keys keep theirs in a small
 *   LRU). The inputs node would judge differently or throw on are decided first, as the pure code
 *   decides them: a signature not 64 bytes or r, s outside 1..n-1, a key not an uncompressed point
 *   on the curve (checked once per cached key) → false; anything node still throws on → false.
 *   test/algorithms/provider-verify.test.ts compares the two providers' verdicts on valid, mutated
 *   and malformed inputs. p256Verify over a bare digest stays pure (node:crypto verifies only
 *   over a message it hashes itself).
 * - AES-128: pure. One block through a cached createCipheriv('aes-128-ecb') cost about 1.06 µs
 *   against 0.23 µs for the pure T-table code (Milenage runs 6 single blocks per AUTHENTICATE).
 * Hazard: the shared ECDH object holds the last nonce k until the next signature (the pure code
 * leaves the same values to the garbage collector); this is an emulator, not a signing service.
 */
import * as nodeCrypto from 'node:crypto';
import { P256_ORDER, PURE_CRYPTO, bigToBytes, bytesToBig, isValidPublicKey, signDigestWith, type SignOps } from '../../card/algorithms/index.js';
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

// No `hmac`: the card's own HMAC with the pads' chaining values kept per K (HmacSha256) costs
// less than two one-shot node hashes per MAC, 5 MACs a signature (issue 20, docs/performance.md).
const NODE_SIGN_OPS: SignOps = {
  baseX: (k) => bytesToBig(baseMultiply(bigToBytes(k, 32)).subarray(1, 33)),
  baseXOfBytes: (k) => bytesToBig(baseMultiply(k).subarray(1, 33)),
};

const ORDER_BYTES = bigToBytes(P256_ORDER, 32);

/** Whether the 32 bytes at `off` hold a scalar in 1..n-1 (big-endian), without a bigint. */
function inScalarRange(b: Uint8Array, off: number): boolean {
  let zero = true;
  for (let i = 0; i < 32; i++) {
    if (b[off + i] !== 0) {
      zero = false;
      break;
    }
  }
  if (zero) return false;
  for (let i = 0; i < 32; i++) {
    const x = b[off + i]!, n = ORDER_BYTES[i]!;
    if (x !== n) return x < n;
  }
  return false; // = n
}

const KEY_CACHE_SIZE = 8;
const keyObjects = new Map<string, nodeCrypto.KeyObject>();

function keyObjectOf(key: Uint8Array): nodeCrypto.KeyObject | undefined {
  if (!isValidPublicKey(key)) return undefined; // length, 04 prefix, coordinates < p, on the curve
  const b = Buffer.from(key.buffer, key.byteOffset, key.length);
  return nodeCrypto.createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: b.toString('base64url', 1, 33), y: b.toString('base64url', 33, 65) }, format: 'jwk' });
}

/** The KeyObject of a public key (cached when long-lived); undefined when the pure code would refuse the key. */
function publicKeyObject(key: Uint8Array, cache: boolean): nodeCrypto.KeyObject | undefined {
  if (!(key instanceof Uint8Array)) return undefined;
  if (!cache) return keyObjectOf(key);
  const id = Buffer.from(key.buffer, key.byteOffset, key.length).toString('latin1');
  const hit = keyObjects.get(id);
  if (hit !== undefined) {
    keyObjects.delete(id); // LRU: most recent last
    keyObjects.set(id, hit);
    return hit;
  }
  const k = keyObjectOf(key);
  if (k === undefined) return undefined;
  if (keyObjects.size >= KEY_CACHE_SIZE) keyObjects.delete(keyObjects.keys().next().value!);
  keyObjects.set(id, k);
  return k;
}

/** ECDSA P-256 verify of raw r‖s over SHA-256(message) in OpenSSL, deciding as the pure verify does. */
function verifyMessage(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array, cache = true): boolean {
  if (!(message instanceof Uint8Array) || !(signature instanceof Uint8Array) || signature.length !== 64) return false;
  if (!inScalarRange(signature, 0) || !inScalarRange(signature, 32)) return false;
  try {
    const key = publicKeyObject(publicKey, cache);
    return key !== undefined && nodeCrypto.verify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false;
  }
}

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
  p256VerifyMessage: verifyMessage,
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
